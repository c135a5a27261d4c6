"""Load tests with Locust: realistic customers, load shapes, the SLO gate, reports and charts."""

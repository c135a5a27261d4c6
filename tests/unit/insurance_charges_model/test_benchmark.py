from insurance_charges_model.benchmark import benchmark_predict
from insurance_charges_model.model import InsuranceChargesModel


def test_benchmark_times_both_paths(model: InsuranceChargesModel) -> None:
    table = benchmark_predict(model, repeat=200)
    assert list(table.calls) == [200, 50]
    assert (table.p50_us > 0).all()
    assert (table.p99_us >= table.p50_us).all()
    assert table.speedup_p50.iloc[1] == 1.0

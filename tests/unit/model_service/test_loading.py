from ml_model_logging.decorator import LoggingDecorator, MLModelDecorator
from model_service.configuration import ModelConfiguration
from model_service.loading import ModelRegistry, build_model
from support.stub_models import StubInput


def test_decorators_wrap_in_order_the_first_innermost() -> None:
    configuration = ModelConfiguration(
        class_path="support.stub_models.StubModel",
        kwargs={"factor": 3.0},
        decorators=[
            {"class_path": "ml_model_logging.decorator.MLModelDecorator"},
            {
                "class_path": "ml_model_logging.decorator.LoggingDecorator",
                "kwargs": {"input_fields": ["x"]},
            },
        ],
    )
    model = build_model(configuration)
    assert isinstance(model, LoggingDecorator)
    assert isinstance(model._model, MLModelDecorator)
    assert model.predict(StubInput(x=2.0)).y == 6.0


def test_registry_keeps_the_loading_error() -> None:
    registry = ModelRegistry()
    registry.load([ModelConfiguration(class_path="support.stub_models.BrokenStubModel")])
    assert not registry.ready
    assert registry.error == "RuntimeError: artifact refused"
    assert registry.models == {}


def test_registry_is_ready_once_every_model_loaded() -> None:
    registry = ModelRegistry()
    assert not registry.ready
    registry.load([ModelConfiguration(class_path="support.stub_models.StubModel")])
    assert registry.ready
    assert list(registry.models) == ["stub_model"]

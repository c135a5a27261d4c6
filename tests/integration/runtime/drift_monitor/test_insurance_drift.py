"""The drift monitor on the real model: its training baseline, and the records its logging
decorator writes, formatted as the service's logging configuration formats them."""

import asyncio
import io
import logging
from pathlib import Path

import pandas as pd
import pytest

from common.paths import CONFIGURATION_DIR
from drift_monitor.baseline import BASELINE_NAME, Baseline, load_baseline
from drift_monitor.report import monitor
from drift_monitor.thresholds import load_thresholds
from insurance_charges_model.model import InsuranceChargesModel
from insurance_charges_model.schemas import AGE_RANGE, FEATURE_NAMES, InsuranceChargesModelInput
from insurance_charges_training.training import TrainingResult
from ml_model_logging.decorator import LoggingDecorator
from model_contract.servable import served
from model_service.configuration import import_object, load_configuration

LOGGER = "drift_monitor.tests.predictions"
THRESHOLDS = load_thresholds(CONFIGURATION_DIR / "drift.yaml")


def logging_options(service_file: str) -> tuple[dict, logging.Formatter]:
    """The logging decorator's options in a service file, and its JSON formatter."""
    configuration = load_configuration(CONFIGURATION_DIR / service_file)
    [options] = [
        decorator.kwargs
        for decorator in configuration.models[0].decorators
        if decorator.class_path.endswith(".LoggingDecorator")
    ]
    spec = dict(configuration.logging.dict_config.formatters["json"])
    return options, import_object(spec.pop("()"))(**spec)


def log_lines(model: InsuranceChargesModel, rows: pd.DataFrame, service_file: str) -> list[str]:
    """What the service logs when it prices ``rows``, configured by ``service_file``."""
    options, formatter = logging_options(service_file)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(handler)
    decorated = LoggingDecorator(served(model), logger_name=LOGGER, **options)
    inputs = [
        InsuranceChargesModelInput(**row)
        for row in rows[list(FEATURE_NAMES)].to_dict(orient="records")
    ]
    try:
        asyncio.run(decorated.predict_batch(inputs))
    finally:
        logger.removeHandler(handler)
    return stream.getvalue().splitlines()


@pytest.fixture(scope="module")
def baseline(model_dir: Path) -> Baseline:
    return load_baseline(model_dir / BASELINE_NAME)


@pytest.fixture(scope="module")
def older(training_result: TrainingResult) -> pd.DataFrame:
    """The training customers ten years older; the API takes no one past 65."""
    train = training_result.train
    return train.assign(age=(train.age + 10).clip(upper=AGE_RANGE[1]))


def test_the_training_customers_do_not_drift(
    model: InsuranceChargesModel, training_result: TrainingResult, baseline: Baseline
) -> None:
    lines = log_lines(model, training_result.train, "local.yaml")
    report = monitor(lines, baseline, THRESHOLDS)
    assert report.counts.requested == report.counts.created == len(training_result.train)
    assert (report.counts.bad, report.counts.skipped, report.counts.wrong_type) == ({}, {}, {})
    assert {feature.verdict for feature in report.features} == {"no drift"}
    # the service predicts from the serving artifact, the baseline holds the pipeline's predictions
    assert max(feature.psi for feature in report.features) < 0.01
    assert report.verdict == "no drift"


def test_older_customers_drift_in_age_and_the_prediction_only(
    model: InsuranceChargesModel, older: pd.DataFrame, baseline: Baseline
) -> None:
    report = monitor(log_lines(model, older, "local.yaml"), baseline, THRESHOLDS)
    assert report.drifted == ["age", "charges"]
    assert report.verdict == "drift"


def test_with_the_kubernetes_fields_sex_bmi_and_smoker_are_not_logged(
    model: InsuranceChargesModel, older: pd.DataFrame, baseline: Baseline
) -> None:
    report = monitor(log_lines(model, older, "kubernetes.yaml"), baseline, THRESHOLDS)
    assert report.not_logged == ["sex", "bmi", "smoker"]
    assert report.drifted == ["age", "charges"]

"""The runner validates a data content once: its record is keyed by the data's bytes, the
package source and the libraries, so a changed or bad file is always checked again."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TINY_FILES, write_tiny_package

import analysis.data.validate as validate
from analysis.errors import DataError
from analysis.runner.checks import check_data as _check_data
from analysis.runner.validated import CACHE_DIR_ENV, is_validated, validation_key


def test_a_content_is_validated_once_and_a_changed_or_bad_file_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))
    data = write_tiny_package(tmp_path / "data")
    calls: list[Path] = []
    real = validate.validate_data_dir

    def counted(data_dir):
        calls.append(Path(data_dir))
        return real(data_dir)

    monkeypatch.setattr(validate, "validate_data_dir", counted)

    _, checksum = _check_data(str(data))
    assert len(calls) == 1 and is_validated(checksum)
    assert _check_data(str(data)) == (data.resolve(), checksum)
    assert len(calls) == 1  # the same bytes: not validated again
    _check_data(str(data), reuse=False)  # --no-reuse validates whatever the records say
    assert len(calls) == 2

    # a bad value in one file: another content, validated, refused, and never recorded
    good = TINY_FILES["financials.csv"]
    (data / "financials.csv").write_text(good.replace(",2014,2,approx", ",2014,two,approx"))
    for attempt in (3, 4):
        with pytest.raises(DataError) as caught:
            _check_data(str(data))
        assert len(calls) == attempt
        assert any("financials.csv" in line and "value" in line for line in caught.value.problems)

    # a valid change is a new content too; the first content is still known
    (data / "financials.csv").write_text(good.replace(",2014,2,approx", ",2014,2.5,approx"))
    _, changed = _check_data(str(data))
    assert changed != checksum and len(calls) == 5
    (data / "financials.csv").write_text(good)
    assert _check_data(str(data))[1] == checksum and len(calls) == 5


def test_the_key_follows_the_package_source_and_the_data() -> None:
    key = validation_key("d" * 64, package="p" * 64)
    assert validation_key("d" * 64, package="p" * 64) == key
    assert validation_key("d" * 64, package="q" * 64) != key  # other rules
    assert validation_key("e" * 64, package="p" * 64) != key  # other bytes

"""Decoding text files: encodings, empty and binary input, and the CLI's one-line errors."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gcmalign.cli import app
from gcmalign.errors import InputError
from gcmalign.ingest.text import decode_text, read_text

TEXT = "La réunion thématique sur la traite des êtres humains s'est tenue à Niamey en 2019."


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "latin-1", "cp1252"]
)
def test_decodes_common_encodings(encoding):
    text, _ = decode_text(TEXT.encode(encoding), "f.txt")
    assert text == TEXT


def test_cp1252_quotes_decode():
    raw = "the “Marrakesh Action Plan” – adopted".encode("cp1252")
    text, enc = decode_text(raw, "f.txt")
    assert text == "the “Marrakesh Action Plan” – adopted"
    assert enc == "cp1252"


@pytest.mark.parametrize("data", [b"", b"   \n\n \t"])
def test_empty_file_is_an_error(data):
    with pytest.raises(InputError, match="empty"):
        decode_text(data, "empty.txt")


def test_binary_file_is_an_error():
    with pytest.raises(InputError, match="binary"):
        decode_text(bytes(range(256)) * 10, "blob.bin")


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(InputError) as info:
        read_text(tmp_path / "nope.txt")
    assert "nope.txt" in str(info.value) and "no such file" in str(info.value)


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "empty"), (b"\x00\x01\x02\x03binary\x00\xff" * 50, "binary")],
)
def test_cli_reports_one_line_error(tmp_path, content, problem):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    result = CliRunner().invoke(app, ["analyze", str(path), "--no-embeddings"])
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    assert "bad.txt" in lines[0] and problem in lines[0]
    assert "Traceback" not in result.output


def test_cli_reads_utf16_file(tmp_path):
    path = tmp_path / "fr.txt"
    body = (
        "En 2020, le Processus de Rabat a organisé un atelier sur la traite des êtres humains "
        "à Dakar avec l'ONUDC et la CEDEAO, pour renforcer l'identification des victimes."
    )
    path.write_bytes(body.encode("utf-16"))
    result = CliRunner().invoke(app, ["analyze", str(path), "--format", "json", "--no-embeddings"])
    assert result.exit_code == 0, result.output
    assert "atelier" in result.output

"""Reading a corpus for `cohere-dyn embed`: records, their 1-based lines, and the problems named there."""

from __future__ import annotations

from pathlib import Path

import pytest

from cohere_dyn._bulk._corpus import Corpus, InputError


def records(path: Path, kind: str, field: str = "text") -> list[tuple[str, object, int]]:
    return [(record.text, record.id, record.line) for record in Corpus(str(path), kind, field)]


def test_a_csv_row_is_numbered_by_the_line_it_starts_on(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text('id,text\na,"two\nlines"\n\nb,after a blank row\n')
    assert records(tmp_path / "in.csv", "csv") == [("two\nlines", "a", 2), ("after a blank row", "b", 5)]


def test_a_csv_row_without_the_column_is_named_by_its_line(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("id,text\na,fine\nb\n")
    with pytest.raises(InputError, match=r"in\.csv:3: no value in column 'text' \(1 of 2 columns\)"):
        records(tmp_path / "in.csv", "csv")


def test_a_byte_order_mark_is_not_part_of_the_first_column_s_name(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_bytes("\ufefftext,id\nhello,1\n".encode())
    assert records(tmp_path / "in.csv", "csv") == [("hello", "1", 2)]


def test_blank_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_text('{"text": "a"}\n\n   \n{"text": "b"}\n')
    corpus = Corpus(str(tmp_path / "in.jsonl"), "jsonl")
    assert [(record.text, record.line) for record in corpus] == [("a", 1), ("b", 4)]
    assert corpus.blank == 2


def test_a_missing_input_fails_when_the_corpus_is_opened(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.txt: can't read the input \(No such file or directory\)"):
        Corpus(str(tmp_path / "missing.txt"), "txt")

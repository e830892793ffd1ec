"""Extract stage: encodings, bad input, HTML cells."""

from __future__ import annotations

import codecs

import pytest

from etl.lines import read_document
from etl.lines.text import ExtractError, cell_text, decode, split_cells

SAMPLE = "ГОДИШЕН ПЛАН ЗА РАЗВИТИЕ НА СОЦИАЛНИТЕ УСЛУГИ\n№\tВид дейност\n1.\tЦентър за обществена подкрепа\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8-sig"),
        (SAMPLE.encode("cp1251"), "cp1251"),
        (SAMPLE.encode("utf-16"), "utf-16"),  # with BOM
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),  # without BOM
        (SAMPLE.encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_decode_detects_encoding(data, encoding):
    text, found = decode(data, "plan.txt")
    assert found == encoding
    assert text.replace("\r", "").lstrip("\ufeff") == SAMPLE


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office"),
        (bytes(range(256)) * 4, "binary"),
    ],
)
def test_decode_rejects_bad_input_naming_the_file(data, words):
    with pytest.raises(ExtractError) as err:
        decode(data, "bad-plan.txt")
    assert "bad-plan.txt" in str(err.value) and words in str(err.value)


def test_read_document_keeps_line_numbers_and_cells(tmp_path):
    path = tmp_path / "p.txt"
    path.write_bytes(SAMPLE.encode("cp1251"))
    doc = read_document(path)
    assert doc.encoding == "cp1251"
    assert [ln.no for ln in doc.lines] == [1, 2, 3]
    assert doc.lines[2].cells == ["1.", "Център за обществена подкрепа"]
    assert len(doc.sha256) == 64


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ExtractError, match="nope.txt"):
        read_document(tmp_path / "nope.txt")


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        # Dupnitsa line 20: two paragraphs in one cell
        ("<p>Център за настаняване от семеен тип</p> <p>Социална услуга в общността – резидентен тип</p>",
         "Център за настаняване от семеен тип\nСоциална услуга в общността – резидентен тип"),
        # Kresna line 31: heading paragraph and an italic goal
        ("<p>Приоритетно направление 1</p> <p><i>Обща цел: Да се подобри</i></p>",
         "Приоритетно направление 1\nОбща цел: Да се подобри"),
        ("<ul><li>първо</li><li>второ</li></ul>", "първо\nвторо"),
        ("ред<br>нов ред", "ред\nнов ред"),
        ("Дом &amp; подкрепа", "Дом & подкрепа"),
        ("  много   интервали  ", "много интервали"),
        ("контрол\x07ни\x00 знаци", "контрол ни знаци"),
        ('<p style="text-align: center;">Домашен социален патронаж</p>', "Домашен социален патронаж"),
    ],
)
def test_cell_text_turns_html_into_plain_text(raw, text):
    assert cell_text(raw) == text


def test_hostile_markup_becomes_inert_text():
    text = cell_text('<p>Център</p><script>alert("x")</script><a href="javascript:evil()">връзка</a>')
    assert "<" not in text and ">" not in text
    assert text.startswith("Център")


def test_thousands_of_cells_are_capped():
    cells = split_cells("\t".join(["x"] * 5000))
    assert len(cells) == 200

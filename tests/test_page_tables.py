"""The page tables' column widths (dashboard/components.py column_widths, table): set on the server from the
headers and texts, never flexed by AG Grid in the browser."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.components import (
    CELL_PX,
    COLUMN_PX,
    FONT_PX,
    HALF_TABLE_PX,
    HEADER_ICONS_PX,
    TABLE_PX,
    column_needs,
    column_widths,
    table,
)
from dashboard.figures import text_px


def header_px(header: str) -> float:
    return CELL_PX + text_px(header, FONT_PX) + HEADER_ICONS_PX


def test_narrow_columns_are_widened_in_proportion_to_fill_the_card():
    headers, texts = ["Год", "Услуга"], [["2021"] * 3, ["Център за обществена подкрепа"] * 3]
    wanted = [max(header_px("Год"), COLUMN_PX[0]), CELL_PX + text_px("Център за обществена подкрепа", FONT_PX)]
    widths = column_widths(headers, texts, fill_px=1000)
    assert sum(wanted) < 1000
    assert sum(widths) == pytest.approx(1000, abs=len(widths))
    assert widths[1] / widths[0] == pytest.approx(wanted[1] / wanted[0], rel=0.01)


def test_wide_columns_give_up_what_they_want_beyond_their_header_until_they_fit():
    long = "Център за социална рехабилитация и интеграция на деца и младежи с увреждания"
    headers = ["Община", "Услуга", "Бележка"]
    texts = [["Стара Загора"] * 4, [long] * 4, [long[:30]] * 4]
    widths = column_widths(headers, texts, fill_px=600)
    assert sum(widths) == pytest.approx(600, abs=len(widths))
    for header, width in zip(headers, widths, strict=True):
        assert width >= int(header_px(header))
    # the longest text keeps the widest column, but narrower than it wants (the cap)
    assert widths[1] == max(widths) and widths[1] < COLUMN_PX[1]


def test_columns_that_do_not_fit_even_at_their_headers_keep_them_and_the_table_scrolls():
    headers = ["Община", "Година", "Услуга", "Преди", "След", "Промяна", "Статус"]
    widths = column_widths(headers, [["x"]] * len(headers), fill_px=HALF_TABLE_PX)
    assert sum(widths) > HALF_TABLE_PX
    assert widths == [int(max(COLUMN_PX[0], header_px(h))) for h in headers]


def test_a_long_text_is_cut_at_the_widest_column_and_a_short_header_has_the_narrowest():
    assert column_needs("Текст", ["дълъг текст " * 30] * 5)[1] == COLUMN_PX[1]
    assert column_needs("№", ["1"] * 5) == (COLUMN_PX[0], COLUMN_PX[0])


def test_most_cells_decide_not_the_few_longest():
    short, longer = "Дупница", "Стара Загора, Казанлък и Чирпан"
    assert column_needs("О", [short] * 19 + [longer])[1] == CELL_PX + text_px(short, FONT_PX)
    assert column_needs("О", [short] * 17 + [longer] * 3)[1] == CELL_PX + text_px(longer, FONT_PX)
    assert column_needs("О", [])[1] == COLUMN_PX[0]


def test_a_page_table_has_fixed_widths_and_no_flexed_column():
    df = pd.DataFrame({"municipality": ["Дупница", "Стара Загора"], "year": [2021, 2015],
                       "name": ["ЦОП", "Дневен център за деца с увреждания"], "capacity": [12.0, None]})
    columns = [("municipality", "col_municipality", "text"), ("year", "col_year", "text"),
               ("name", "col_name", "text"), ("capacity", "col_capacity", "number")]
    grid = table(df, columns, "bg")
    assert "flex" not in grid.defaultColDef and all("flex" not in c for c in grid.columnDefs)
    widths = [c["width"] for c in grid.columnDefs]
    assert all(isinstance(w, int) for w in widths)
    assert sum(widths) == pytest.approx(TABLE_PX, abs=len(widths))
    assert sum(c["width"] for c in table(df, columns, "bg", fill_px=HALF_TABLE_PX).columnDefs) == pytest.approx(
        HALF_TABLE_PX, abs=len(widths))

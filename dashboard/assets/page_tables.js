/* Page tables (dashboard/components.py table): a plain HTML table drawn from the JSON in a host element's
 * data-table attribute, with headers that sort it. The server sends the cells' display texts and, for a number
 * column, the numbers it sorts by. Every text goes in as a text node (textContent), never parsed as HTML.
 *
 * Why not a grid component: two small AG Grids cost a national page 0.4-0.5 s of the browser's main thread (the
 * grid's modules, its theme's styles, its layout reads), more than the page's charts took to draw.
 *
 * The host is a Dash html.Div: React sets and updates its data-table attribute and never has children of its own
 * in it, so the table drawn here stays until the attribute changes (new filters) or the host is removed. */
(function () {
    "use strict";

    var HOSTS = ".page-table[data-table]";

    var CODE = /^[A-Z]{3}\d{2}$/;  // an EKATTE municipality code: the only text a link's address is made of

    function blank(value) { return value === null || value === undefined || value === ""; }

    // the page of a municipality, under the app's path prefix, in the table's language
    function municipalityHref(code, lang) {
        var config = document.getElementById("_dash-config");
        var prefix = config ? (JSON.parse(config.textContent).requests_pathname_prefix || "/") : "/";
        return prefix + "municipality/" + code + (lang === "en" ? "?lang=en" : "");
    }

    // blanks last in either direction; the others ascending, or descending
    function compare(a, b, numeric, collator, descending) {
        if (blank(a) || blank(b)) { return blank(a) === blank(b) ? 0 : (blank(a) ? 1 : -1); }
        var d = numeric ? a - b : collator.compare(a, b);
        return descending ? -d : d;
    }

    function body(spec, order) {
        var tbody = document.createElement("tbody");
        order.forEach(function (i) {
            var tr = document.createElement("tr");
            spec.rows[i].forEach(function (text, c) {
                var td = document.createElement("td");
                if (spec.columns[c].number) { td.className = "num"; }
                // a municipality's name links to its page (the address built from a checked code, the name as text)
                var code = spec.links && spec.links[c] ? spec.links[c][i] : null;
                if (typeof code === "string" && CODE.test(code) && !blank(text)) {
                    var link = document.createElement("a");
                    link.href = municipalityHref(code, spec.lang);
                    link.className = "municipality-link";
                    link.textContent = text;
                    td.appendChild(link);
                } else {
                    td.textContent = text;
                }
                tr.appendChild(td);
            });
            tbody.appendChild(tr);
        });
        return tbody;
    }

    function draw(host, text) {
        var spec = JSON.parse(text);
        var collator = new Intl.Collator(spec.lang === "en" ? "en" : "bg", {numeric: true, sensitivity: "base"});
        var table = document.createElement("table");
        table.className = "table table-sm table-striped table-hover mb-0";
        var head = document.createElement("thead");
        var headRow = document.createElement("tr");
        var order = spec.rows.map(function (_, i) { return i; });
        var sorted = {column: -1, descending: false};
        spec.columns.forEach(function (column, c) {
            var th = document.createElement("th");
            th.scope = "col";
            if (column.number) { th.className = "num"; }
            th.setAttribute("aria-sort", "none");
            var button = document.createElement("button");
            button.type = "button";
            button.textContent = column.header;
            button.title = spec.sortHint;
            button.addEventListener("click", function () {
                var descending = sorted.column === c ? !sorted.descending : false;
                var keys = column.number ? spec.numbers[c] : spec.rows.map(function (row) { return row[c]; });
                order = spec.rows.map(function (_, i) { return i; });
                order.sort(function (a, b) {  // equal keys keep the server's order
                    return compare(keys[a], keys[b], column.number, collator, descending) || a - b;
                });
                sorted = {column: c, descending: descending};
                headRow.querySelectorAll("th").forEach(function (other, k) {
                    other.setAttribute("aria-sort", k === c ? (descending ? "descending" : "ascending") : "none");
                });
                table.replaceChild(body(spec, order), table.tBodies[0]);
            });
            th.appendChild(button);
            headRow.appendChild(th);
        });
        head.appendChild(headRow);
        table.appendChild(head);
        table.appendChild(body(spec, order));
        host.replaceChildren(table);
    }

    function drawAll() {
        document.querySelectorAll(HOSTS).forEach(function (host) {
            var text = host.getAttribute("data-table");
            if (host._tableText !== text) {
                host._tableText = text;
                draw(host, text);
            }
        });
    }

    new MutationObserver(drawAll).observe(document.documentElement, {
        childList: true, subtree: true, attributes: true, attributeFilter: ["data-table"]
    });
    drawAll();
}());

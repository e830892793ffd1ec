/* Charts for every reader (dashboard/components.py graph): each chart's accessible name is its title, its numbers
 * are in a visually hidden table next to it (for screen readers), and its tool bar is out of the tab order.
 *
 * The chart's wrapper (role="figure") holds the dcc.Graph and an empty host `.chart-table` that React never puts
 * children in; the table is drawn there after every redraw of the chart (plotly_afterplot). Every text goes in as
 * a text node (textContent), never parsed as HTML. */
(function () {
    "use strict";

    var MAX_ROWS = 2000;  // a national heatmap has ~3,700 cells: the first rows are enough to read it by ear

    function plainText(text) {  // a plotly title ('Капацитет по вид услуга', entities, <br>) as plain text
        if (!text) { return ""; }
        var doc = new DOMParser().parseFromString(String(text).replace(/<br\s*\/?>/gi, " "), "text/html");
        return (doc.body.textContent || "").trim();
    }

    function cellText(value, lang) {
        if (value === null || value === undefined) { return ""; }
        if (Array.isArray(value)) { return value.map(function (v) { return plainText(v); }).join(" "); }
        if (typeof value === "number") { return value.toLocaleString(lang === "en" ? "en-GB" : "bg-BG"); }
        return plainText(value);
    }

    function arr(v) { return v == null ? [] : Array.from(v._inputArray || v); }

    function rows(data) {
        var out = [];
        data.forEach(function (trace) {
            var x = arr(trace.x), y = arr(trace.y), z = arr(trace.z);
            if (trace.type === "heatmap") {
                y.forEach(function (row, i) {
                    x.forEach(function (column, j) {
                        var v = (z[i] || [])[j];
                        if (v !== null && v !== undefined) { out.push([row, column, v]); }
                    });
                });
            } else if (trace.type === "choroplethmap") {
                if (trace.hoverinfo === "skip") { return; }
                var names = arr(trace.text).length ? arr(trace.text) : arr(trace.locations);
                names.forEach(function (name, i) { if (z[i] != null) { out.push([name, z[i]]); } });
            } else if (trace.orientation === "h") {
                y.forEach(function (category, i) { if (x[i] != null) { out.push([trace.name, category, x[i]]); } });
            } else {
                var xs = x.length && Array.isArray(x[0]) ? x[0].map(function (_, i) {
                    return x.map(function (level) { return level[i]; });
                }) : x;
                xs.forEach(function (category, i) { if (y[i] != null) { out.push([trace.name, category, y[i]]); } });
            }
        });
        return out.slice(0, MAX_ROWS);
    }

    function update(gd) {
        var figure = gd.closest(".chart");
        if (!figure) { return; }
        var title = plainText(((gd.layout || {}).title || {}).text);
        figure.setAttribute("aria-label", title);
        gd.querySelectorAll(".modebar-btn, .modebar a, .modebar button").forEach(function (button) {
            button.setAttribute("tabindex", "-1");
        });
        var host = figure.querySelector(".chart-table");
        if (!host) { return; }
        var lang = host.getAttribute("data-lang");
        var table = document.createElement("table");
        var caption = document.createElement("caption");
        caption.textContent = host.getAttribute("data-caption") + ": " + title;
        table.appendChild(caption);
        var body = document.createElement("tbody");
        rows(gd.data || []).forEach(function (row) {
            var tr = document.createElement("tr");
            row.forEach(function (value) {
                var td = document.createElement("td");
                td.textContent = cellText(value, lang);
                tr.appendChild(td);
            });
            body.appendChild(tr);
        });
        table.appendChild(body);
        host.replaceChildren(table);
    }

    function watch() {
        document.querySelectorAll(".chart .js-plotly-plot").forEach(function (gd) {
            if (gd._chartsWatched || typeof gd.on !== "function") { return; }
            gd._chartsWatched = true;
            gd.on("plotly_afterplot", function () { update(gd); });
            update(gd);
        });
    }

    new MutationObserver(watch).observe(document.documentElement, {childList: true, subtree: true});
    watch();
}());

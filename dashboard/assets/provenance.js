// From a number to its records: a click on a bar, point or heatmap cell of a page chart opens /data narrowed to the
// records behind it. The figure gives each point its narrowing as a query string (dashboard/figures.py: the last
// element of the point's customdata (or its heatmap row's and column's, link()), e.g. "municipality=Дупница&year=2021&service_type=HOME_PATRONAGE"); the page's
// own query string (the filter bar's selection) is kept, the clicked values replace the keys they name (an empty
// value removes the key: "year=" when a change's year is not the records' own), and the page's view options are
// dropped (/data has none of them). A click on a municipality of the map opens its page instead (municipality()).
window.dash_clientside = window.dash_clientside || {};
window.dash_clientside.provenance = {
    VIEW_KEYS: ['dim', 'measure', 'plan', 'combine', 'metric', 'check', 'types'],
    NARROW_KEYS: ['setting', 'funding_mix', 'ssa_kind', 'only', 'event', 'event_year', 'settlement'],

    prefix: function () {
        var config = document.getElementById('_dash-config');  // the app's path prefix
        return config ? (JSON.parse(config.textContent).requests_pathname_prefix || '/') : '/';
    },

    // a point's link: the last element of its customdata; or, for a heatmap whose trace's meta gives one link per
    // row and one per column (figures.py completeness), the two joined, when the cell holds a value
    link: function (point, figure) {
        var data = point && point.customdata;
        var link = Array.isArray(data) ? data[data.length - 1] : data;
        if (typeof link === 'string') {
            return link;
        }
        var trace = point && figure && figure.data && figure.data[point.curveNumber];
        var meta = trace && trace.meta;
        if (meta && meta.rows && meta.columns && point.z !== null && point.z !== undefined) {
            // dcc.Graph's clickData keeps a point's x, y and z, not its [row, column] index: found from x and y
            var row = Array.from(trace.y || []).indexOf(point.y), column = Array.from(trace.x || []).indexOf(point.x);
            return [meta.rows[row], meta.columns[column]].filter(Boolean).join('&');
        }
        return '';
    },

    // the /data address of a clicked point ('' when the point has no link)
    href: function (point, search, figure) {
        var self = window.dash_clientside.provenance;
        var link = self.link(point, figure);
        if (link.indexOf('=') < 0) {
            return '';
        }
        var params = new URLSearchParams(search);
        self.VIEW_KEYS.concat(self.NARROW_KEYS).forEach(function (key) { params.delete(key); });
        new URLSearchParams(link).forEach(function (value, key) {
            if (value === '') {
                params.delete(key);
            } else {
                params.set(key, value);
            }
        });
        var query = params.toString().replace(/%2C/g, ',');
        return self.prefix() + 'data' + (query ? '?' + query : '');
    },

    open: function (clickData, figure) {
        var point = clickData && clickData.points && clickData.points[0];
        var href = window.dash_clientside.provenance.href(point, window.location.search, figure);
        if (href) {
            window.location.assign(href);
        }
        return window.dash_clientside.no_update;
    },

    // a municipality of the map: its page /municipality/<code>, the code (customdata) an EKATTE municipality code
    municipality: function (clickData) {
        var self = window.dash_clientside.provenance;
        var point = clickData && clickData.points && clickData.points[0];
        var code = self.link(point);
        if (/^[A-Z]{3}\d{2}$/.test(code)) {
            var lang = new URLSearchParams(window.location.search).get('lang') === 'en' ? '?lang=en' : '';
            window.location.assign(self.prefix() + 'municipality/' + code + lang);
        }
        return window.dash_clientside.no_update;
    }
};

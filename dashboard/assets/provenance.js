// From a number to its records: a click on a bar, point or heatmap cell of a page chart opens /data narrowed to the
// records behind it. The figure gives each point its narrowing as a query string (dashboard/figures.py: the last
// element of the point's customdata, e.g. "municipality=Дупница&year=2021&service_type=HOME_PATRONAGE"); the page's
// own query string (the filter bar's selection) is kept, the clicked values replace the keys they name, and the
// page's view options are dropped (/data has none of them).
window.dash_clientside = window.dash_clientside || {};
window.dash_clientside.provenance = {
    VIEW_KEYS: ['dim', 'measure', 'plan', 'combine', 'metric', 'check', 'types'],
    NARROW_KEYS: ['setting', 'funding_mix', 'ssa_kind', 'only'],

    // the /data address of a clicked point ('' when the point has no link)
    href: function (point, search) {
        var data = point && point.customdata;
        var link = Array.isArray(data) ? data[data.length - 1] : data;
        if (typeof link !== 'string' || link.indexOf('=') < 0) {
            return '';
        }
        var params = new URLSearchParams(search);
        var self = window.dash_clientside.provenance;
        self.VIEW_KEYS.concat(self.NARROW_KEYS).forEach(function (key) { params.delete(key); });
        new URLSearchParams(link).forEach(function (value, key) { params.set(key, value); });
        var query = params.toString().replace(/%2C/g, ',');
        var config = document.getElementById('_dash-config');  // the app's path prefix
        var prefix = config ? (JSON.parse(config.textContent).requests_pathname_prefix || '/') : '/';
        return prefix + 'data' + (query ? '?' + query : '');
    },

    open: function (clickData) {
        var point = clickData && clickData.points && clickData.points[0];
        var href = window.dash_clientside.provenance.href(point, window.location.search);
        if (href) {
            window.location.assign(href);
        }
        return window.dash_clientside.no_update;
    }
};

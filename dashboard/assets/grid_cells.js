// Cell renderers of the /data grid (dash-ag-grid's documented route: functions on dashAgGridComponentFunctions,
// named by a column's cellRenderer).
var dagcomponentfuncs = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});

// The municipality cell: its name as text, a link to /municipality/<code> when the row's municipality_code is an
// EKATTE municipality code (three capital letters, two digits). The address is built from the code only, never
// from document text; React shows the name as text (no markup).
dagcomponentfuncs.MunicipalityLink = function (props) {
    var code = props.data && props.data.municipality_code;
    var name = props.value == null ? '' : String(props.value);
    if (typeof code !== 'string' || !/^[A-Z]{3}\d{2}$/.test(code)) {
        return name;
    }
    var search = new URLSearchParams(window.location.search);
    var lang = search.get('lang') === 'en' ? '?lang=en' : '';
    var config = document.getElementById('_dash-config');  // the app's path prefix
    var prefix = config ? (JSON.parse(config.textContent).requests_pathname_prefix || '/') : '/';
    return React.createElement('a', {href: prefix + 'municipality/' + code + lang, className: 'municipality-link'}, name);
};

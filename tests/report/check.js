// The layout checks of tests/report/chromium.sh, run in a copy of a
// report page shown in an iframe of the width under test.  On load it
// checks every chart that is shown (a title, a visible caption, an axis
// caption, every text inside its box, text at least 11 px), that the
// page does not scroll sideways, and that a table wider than its place
// says that it scrolls; it posts one line per problem, then a summary,
// to the page around it.
(function () {
	'use strict';
	var MIN_PX = 11;	// the smallest text a phone should show
	var FONT = 12;		// chart text, in viewBox units (tl_svg.c)
	var SLACK = 0.5;	// rounding of the coordinates, in units

	function shown(el) {
		return el.getClientRects().length > 0;
	}

	function check() {
		var out = [], charts = 0, texts = 0;
		var svgs = document.querySelectorAll('svg.tl-chart');
		var i, j;

		for (i = 0; i < svgs.length; i++) {
			var svg = svgs[i], id = svg.id || '(no id)';
			if (!shown(svg))
				continue;
			charts++;
			var title = svg.querySelector(':scope > title');
			if (!title || title.textContent.trim() === '')
				out.push('FAIL ' + id + ': no title');
			var fig = svg.closest('figure');
			var cap = fig && fig.querySelector('figcaption');
			if (!cap || cap.textContent.trim() === '')
				out.push('FAIL ' + id + ': no visible caption');
			if (svg.querySelectorAll('text.tl-cap').length === 0)
				out.push('FAIL ' + id + ': no axis caption');
			var vb = svg.viewBox.baseVal;
			var scale = svg.getBoundingClientRect().width / vb.width;
			if (FONT * scale < MIN_PX - 0.05)
				out.push('FAIL ' + id + ': text ' +
				    (FONT * scale).toFixed(1) + ' px');
			var tx = svg.querySelectorAll('text');
			for (j = 0; j < tx.length; j++) {
				var b = tx[j].getBBox();
				texts++;
				if (b.x < vb.x - SLACK || b.y < vb.y - SLACK ||
				    b.x + b.width > vb.x + vb.width + SLACK ||
				    b.y + b.height > vb.y + vb.height + SLACK)
					out.push('FAIL ' + id + ': text "' +
					    tx[j].textContent + '" outside the ' +
					    'box (' + b.x.toFixed(1) + ',' +
					    b.y.toFixed(1) + ' ' +
					    b.width.toFixed(1) + 'x' +
					    b.height.toFixed(1) + ' in ' +
					    vb.width + 'x' + vb.height + ')');
			}
		}
		var de = document.documentElement;
		if (de.scrollWidth > window.innerWidth + 1)
			out.push('FAIL the page scrolls sideways: ' +
			    de.scrollWidth + ' px in ' + window.innerWidth);
		var sc = document.querySelectorAll('.scroll');
		for (i = 0; i < sc.length; i++) {
			if (sc[i].scrollWidth <= sc[i].clientWidth + 1)
				continue;
			var tbl = sc[i].closest('.tbl');
			var hint = tbl && tbl.querySelector('.hint');
			if (!hint || !shown(hint))
				out.push('FAIL table "' + (tbl ? tbl.querySelector(
				    '.cap').textContent : '?') + '" is ' +
				    sc[i].scrollWidth + ' px in ' +
				    sc[i].clientWidth + ' and does not say ' +
				    'it scrolls');
		}
		out.push('checked ' + charts + ' charts, ' + texts +
		    ' texts at ' + window.innerWidth + ' px');
		return out.join('\n');
	}

	window.addEventListener('load', function () {
		var r;
		try {
			r = check();
		} catch (e) {
			r = 'FAIL the check threw: ' + e;
		}
		window.parent.postMessage(r, '*');
	});
})();

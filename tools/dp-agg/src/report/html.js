// dp-agg --format html: the per-file table's sorting (src/report/html.rs).
// Sorts the per-file table by the fragment `#sort=KEY` or `#sort=KEY-desc`
// on load and on every change of it; numbers by their exact `data-v`
// (cells without one last), text in natural order (`data2` before
// `data10`). The sorted header then links to the other direction.
(function () {
  var table = document.getElementById("file-table");
  if (!table) return;
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var body = table.tBodies[0];
  var original = Array.prototype.slice.call(body.rows);
  function sort() {
    var m = /^#sort=([a-z_]+?)(-desc|-asc)?$/.exec(location.hash);
    var col = m ? heads.findIndex(function (th) { return th.dataset.key === m[1]; }) : -1;
    heads.forEach(function (th) {
      th.removeAttribute("aria-sort");
      th.firstChild.setAttribute("href", "#sort=" + th.dataset.key);
    });
    if (col < 0) { body.append.apply(body, original); return; }
    var desc = m[2] === "-desc";
    var numeric = heads[col].classList.contains("num");
    var rows = original.map(function (row, i) {
      var cell = row.cells[col];
      var key = numeric ? (cell.hasAttribute("data-v") ? parseFloat(cell.dataset.v) : NaN) : cell.textContent;
      return { row: row, key: key, i: i };
    });
    rows.sort(function (a, b) {
      var order;
      if (numeric) {
        if (isNaN(a.key) || isNaN(b.key)) return isNaN(a.key) - isNaN(b.key) || a.i - b.i;
        order = a.key - b.key;
      } else {
        order = a.key.localeCompare(b.key, undefined, { numeric: true });
      }
      return (desc ? -order : order) || a.i - b.i;
    });
    body.append.apply(body, rows.map(function (r) { return r.row; }));
    heads[col].setAttribute("aria-sort", desc ? "descending" : "ascending");
    heads[col].firstChild.setAttribute("href", "#sort=" + heads[col].dataset.key + (desc ? "" : "-desc"));
  }
  window.addEventListener("hashchange", sort);
  sort();
})();

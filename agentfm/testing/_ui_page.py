"""The static peer page served for every path under `/ui/peer/`
(docs/reference/gateway-protocol.md §5.13).

Like the real embedded page, it reads the peer id from its own URL and fetches
`/v1/peers/<id>/reputation` and `/v1/peers/<id>/log?limit=50` without an Authorization header,
so it shows no data when API keys are configured.
"""

from __future__ import annotations

__all__ = ["PEER_PAGE_HTML"]

PEER_PAGE_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AgentFM peer</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 60rem; }
code { word-break: break-all; }
table { border-collapse: collapse; width: 100%; }
td, th { border-bottom: 1px solid #ddd; padding: 0.3rem; text-align: left; font-size: 0.9rem; }
.muted { color: #777; }
</style>
</head>
<body>
<h1>Peer <code id="peer-id"></code></h1>
<section>
<h2>Reputation</h2>
<div id="reputation" class="muted">loading&hellip;</div>
</section>
<section>
<h2>Ledger entries</h2>
<table>
<thead><tr><th>received</th><th>kind</th><th>rater</th><th>dimension</th><th>score</th></tr></thead>
<tbody id="entries"></tbody>
</table>
</section>
<script>
(function () {
  var parts = window.location.pathname.split("/ui/peer/");
  var id = decodeURIComponent((parts[1] || "").replace(/\\/+$/, ""));
  document.getElementById("peer-id").textContent = id || "(no peer id in the URL)";
  if (!id) { return; }
  var base = "/v1/peers/" + encodeURIComponent(id);
  fetch(base + "/reputation").then(function (r) { return r.json(); }).then(function (rep) {
    var el = document.getElementById("reputation");
    if (rep.error) { el.textContent = rep.error.message; return; }
    el.className = "";
    el.textContent = "honesty " + ((rep.scores || {}).honesty || 0) + ", " +
      rep.rating_count + " rating(s)" + (rep.is_equivocator ? ", EQUIVOCATOR" : "");
  }).catch(function () {
    document.getElementById("reputation").textContent = "unavailable";
  });
  fetch(base + "/log?limit=50").then(function (r) { return r.json(); }).then(function (log) {
    var body = document.getElementById("entries");
    (log.entries || []).forEach(function (entry) {
      var row = document.createElement("tr");
      [entry.received_at, entry.kind, entry.rater_peer_id, entry.dimension || "",
       entry.score || 0].forEach(function (value) {
        var cell = document.createElement("td");
        cell.textContent = String(value);
        row.appendChild(cell);
      });
      body.appendChild(row);
    });
  }).catch(function () {});
})();
</script>
</body>
</html>
"""

/* Chart loader: static SVG first, interactive Vega view after the reader's first interaction.

   Markup contract (written by the render stage, one per chart, followed by a table of values):

     <figure class="pt-chart" data-spec="REL/assets/charts/<plan>/<chart_id>.vegalite.<lang>.json">
       <img src="REL/assets/charts/<plan>/<chart_id>.<lang>.svg" alt="text summary"
            width="W" height="H" loading="lazy">
       <figcaption>title + summary</figcaption>
     </figure>

   REL is relative to the page's OUTPUT URL (en pages live one level deeper, under /en/), the
   same prefix the img src needs to work with JavaScript off.

   The theme (templates/theme/main.html) adds this script only to pages whose content contains
   class="pt-chart", as <script defer src=".../assets/javascripts/charts.js" data-vega="...">,
   data-vega being config.extra.vega_bundle resolved for the page. Without data-vega, or if the
   bundle or a spec fails to load, the static <img> stays. Nothing here is plan-specific. */
(function () {
  "use strict";
  var me = document.currentScript;
  var bundle = me && me.getAttribute("data-vega");
  // Only events a person makes: a "scroll" event also fires for programmatic scrolling (anchor
  // restoration, audits), which would pull the 900 KB bundle in during page load. A reader who
  // scrolls does so by wheel, touch, key or pointer, all listed here.
  var events = ["wheel", "pointerdown", "keydown", "touchstart"];
  if (!bundle || window.__ptCharts) return;
  window.__ptCharts = true;

  function figures() {
    return document.querySelectorAll("figure.pt-chart[data-spec]:not([data-pt-done])");
  }

  function embed(fig) {
    var img = fig.querySelector("img");
    var view = document.createElement("div");
    fig.setAttribute("data-pt-done", "");
    view.className = "pt-chart__view";
    // The figcaption and the table carry the content; the view is one image to assistive tech.
    view.setAttribute("role", "img");
    view.setAttribute("aria-label", img ? img.alt : "");
    fig.insertBefore(view, img || fig.firstChild);
    window.vegaEmbed(view, new URL(fig.getAttribute("data-spec"), location.href).href, {
      actions: false, renderer: "svg"
    }).then(function () {
      if (img) img.hidden = true;
    }, function () {
      view.remove();
    });
  }

  function load() {
    if (load.done) return;
    load.done = true;
    events.forEach(function (e) { removeEventListener(e, load, true); });
    var s = document.createElement("script");
    s.src = new URL(bundle, location.href).href;
    s.onload = function () {
      if (typeof window.vegaEmbed === "function") figures().forEach(embed);
    };
    document.head.appendChild(s);
  }

  if (!figures().length) return;
  events.forEach(function (e) {
    addEventListener(e, load, { capture: true, passive: true, once: true });
  });
})();

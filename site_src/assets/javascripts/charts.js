/* Chart loader: static SVG first, interactive Vega view after the reader's first interaction.

   Markup contract (written by the render stage, one per chart, followed by a table of values):

     <figure class="pt-chart" data-spec="REL/assets/charts/<plan>/<chart_id>.vegalite.<lang>.json"
             data-spec-phone="REL/assets/charts/<plan>/<chart_id>.vegalite.<lang>.phone.json">
       <picture>
         <source media="(max-width: ...)" srcset="REL/.../<chart_id>.<lang>.phone.svg" width="w" height="h">
         <img src="REL/assets/charts/<plan>/<chart_id>.<lang>.svg" alt="text summary"
              width="W" height="H" loading="lazy">
       </picture>
       <figcaption>title + summary</figcaption>
     </figure>

   The interactive view uses the phone spec (titles wrapped for a phone, labelled bars, thinned
   year labels: the phone SVG's layout) where the figure is narrower than the full chart's width W,
   as the <picture> does for the static one; the view is drawn again if a turn of the phone moves
   the figure's width across W.

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

  function fullWidth(fig) {
    var img = fig.querySelector("img");
    return img ? +img.getAttribute("width") || 0 : 0;
  }

  function wantsPhone(fig) {
    return !!fig.getAttribute("data-spec-phone") && fig.clientWidth < fullWidth(fig);
  }

  function embed(fig) {
    var img = fig.querySelector("img");
    var phone = wantsPhone(fig);
    var spec = fig.getAttribute(phone ? "data-spec-phone" : "data-spec");
    var view = document.createElement("div");
    fig.setAttribute("data-pt-done", phone ? "phone" : "full");
    fig.__ptLatest = view;
    view.className = "pt-chart__view";
    // The figcaption and the table carry the content; the view is one image to assistive tech.
    view.setAttribute("role", "img");
    view.setAttribute("aria-label", img ? img.alt : "");
    var before = fig.querySelector(".pt-chart__view") || (img && img.closest("picture")) || img || fig.firstChild;
    fig.insertBefore(view, before);
    window.vegaEmbed(view, new URL(spec, location.href).href, {
      actions: false, renderer: "svg"
    }).then(function (result) {
      view.__ptView = result;
      if (fig.__ptLatest !== view) return drop(view);  // a later layout was asked for meanwhile
      if (img) img.hidden = true;
      fig.querySelectorAll(".pt-chart__view").forEach(function (other) {
        if (other !== view) drop(other);
      });
    }, function () {
      view.remove();
    });
  }

  function drop(view) {
    if (view.__ptView) view.__ptView.finalize();
    view.remove();
  }

  // A phone turned (or a window resized) across the full chart's width: draw the other layout.
  var resizing = 0;
  function relayout() {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      document.querySelectorAll("figure.pt-chart[data-pt-done]").forEach(function (fig) {
        if ((fig.getAttribute("data-pt-done") === "phone") !== wantsPhone(fig)) embed(fig);
      });
    }, 200);
  }

  function load() {
    if (load.done) return;
    load.done = true;
    events.forEach(function (e) { removeEventListener(e, load, true); });
    var s = document.createElement("script");
    s.src = new URL(bundle, location.href).href;
    s.onload = function () {
      if (typeof window.vegaEmbed !== "function") return;
      figures().forEach(embed);
      addEventListener("resize", relayout, { passive: true });
    };
    document.head.appendChild(s);
  }

  if (!figures().length) return;
  events.forEach(function (e) {
    addEventListener(e, load, { capture: true, passive: true, once: true });
  });
})();

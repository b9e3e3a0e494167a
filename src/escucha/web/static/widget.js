/* escucha survey widget: <script src="https://escucha.example/s/widget.js" data-survey="TOKEN" defer></script>
   Adds one iframe with the survey, served by escucha; nothing else is loaded. */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me) return;
  var token = me.getAttribute("data-survey") || "";
  if (!/^[A-Za-z0-9_.-]{10,200}$/.test(token)) return;
  var origin = new URL(me.src, window.location.href).origin;
  var lang = me.getAttribute("data-lang");
  var frame = document.createElement("iframe");
  frame.src = origin + "/s/" + encodeURIComponent(token) + "?embed=1" + (lang === "en" || lang === "es" ? "&lang=" + lang : "");
  frame.title = me.getAttribute("data-title") || "Survey";
  frame.setAttribute("loading", "lazy");
  frame.setAttribute("referrerpolicy", "no-referrer");
  frame.style.width = "100%";
  frame.style.maxWidth = "640px";
  frame.style.height = me.getAttribute("data-height") || "620px";
  frame.style.border = "1px solid #dde2e8";
  frame.style.borderRadius = "10px";
  me.parentNode.insertBefore(frame, me.nextSibling);
})();

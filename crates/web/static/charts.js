// Statistics charts: each .chart element carries its data as JSON in data-chart; ECharts
// (vendored) draws it. The tables beside the charts hold the same figures without JavaScript.
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
    var d = JSON.parse(el.getAttribute("data-chart"));
    var option;
    if (d.type === "pie") {
      option = {
        title: { text: d.title, left: "center", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: "60%", top: 30,
          data: d.labels.map(function (l, i) { return { name: l, value: d.series[0].data[i] }; }) }]
      };
    } else {
      option = {
        title: { text: d.title, textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis" },
        legend: { bottom: 0, type: "scroll", data: d.series.map(function (s) { return s.name; }) },
        grid: { top: 45, left: 50, right: 20, bottom: 70 },
        xAxis: { type: "category", data: d.labels, axisLabel: { rotate: d.labels.length > 6 ? 30 : 0 } },
        yAxis: { type: "value" },
        series: d.series.map(function (s) {
          return { name: s.name, type: d.type, data: s.data, connectNulls: false };
        })
      };
    }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    el.setAttribute("data-drawn", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();

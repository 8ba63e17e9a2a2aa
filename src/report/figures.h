// The reports' pictures, drawn with cairo as document figures: the scar map (the scan's shaded
// relief with each scar's outline in the colour of its type, numbered, and a legend), a picture
// given as PNG bytes (the library's comparison picture), and the progress charts (total volume
// and each scar's volume over the visits with its minimal detectable change).
#pragma once
#include <string>
#include <vector>

#include "core/bytes.h"
#include "followup/series.h"
#include "report/pdf_document.h"
#include "scars/inventory.h"
#include "surface/height_map.h"

namespace scarscope::report {

struct LegendEntry {
  ScarType type;
  std::string label;  // "ice pick (3)"
};

// The scan's relief with the scars outlined and numbered; the legend below it. `height` is the
// figure's height in points (the map keeps its aspect ratio inside it).
Figure scar_map_figure(const HeightMap& map, const ScarInventory& scars, std::vector<LegendEntry> legend, double height,
                       std::string caption);

// A PNG picture scaled to fit `height` points (and the text width). std::runtime_error if the
// bytes are not a PNG cairo can read.
Figure png_figure(const Bytes& png, double height, std::string caption);

// One point of a chart: a value with a ± bar (0: none) at a labelled position.
struct ChartPoint {
  std::string label;  // the x label (a date)
  double value = 0.0;
  double bar = 0.0;
};

// A line chart of one series (the total scar volume at each visit).
Figure line_chart_figure(std::vector<ChartPoint> points, std::string y_label, double height, std::string caption);

// Small charts, one per scar: its volume at each visit (with ± its MDC at the follow-ups) and its
// status at the latest visit; at most `per_figure` scars (further ones: call again with the rest).
struct ScarChart {
  std::string title;   // "#3 boxcar"
  std::string status;  // the latest status, in words
  std::vector<ChartPoint> points;
};
Figure scar_charts_figure(std::vector<ScarChart> charts, std::string caption);

}  // namespace scarscope::report

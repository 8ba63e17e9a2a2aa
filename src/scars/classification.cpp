#include "scars/classification.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/classic_locale.h"

namespace scarscope {
namespace {

std::string format(const char* pattern, double value) {
  const ClassicLocaleScope classic_numbers;  // "1.9 mm wide" under any process locale
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

std::string width_text(double diameter_mm) { return format(diameter_mm < 10 ? "%.1f mm wide" : "%.0f mm wide", diameter_mm); }

std::string depth_text(const ScarMeasurement& m) {
  std::string text = m.depth_is_lower_bound ? "\u2265 " : "";
  text += format("%.0f \u00b5m deep", m.depth_um);
  if (m.depth_is_lower_bound) text += " (floor not seen)";
  return text;
}

// 0 at the boundary, 1 well away from it (at `span` or beyond).
double margin(double value, double boundary, double span) {
  return std::clamp(std::abs(value - boundary) / span, 0.0, 1.0);
}

// How well a width fits the type's Jacob band (1 inside, falling off outside).
double width_fit(double diameter, double low, double high) {
  if (diameter >= low && diameter <= high) return 1.0;
  const double distance = diameter < low ? (low - diameter) / std::max(low, 0.5) : (diameter - high) / high;
  return std::clamp(1.0 - distance, 0.3, 1.0);
}

}  // namespace

ScarTyping classify_scar(const ScarMeasurement& m, const ClassificationSettings& s) {
  ScarTyping t;
  if (m.elevation) {
    t.type = ScarType::hypertrophic;
    t.profile = "dome";
    t.confidence = 0.9;
    t.reason = width_text(m.diameter_mm) + format(", raised %.0f \u00b5m above the skin: hypertrophic", m.depth_um);
    return t;
  }
  const double d = m.diameter_mm;
  const bool flat_floor = m.floor_fraction >= s.flat_floor_fraction ||
                          (m.floor_fraction >= s.steep_floor_fraction && m.wall_sharpness >= s.steep_wall_sharpness);
  const double profile_margin = std::max(margin(m.floor_fraction, 0.5 * (s.flat_floor_fraction + s.steep_floor_fraction), 0.15),
                                         margin(m.wall_sharpness, s.steep_wall_sharpness, 1.0));
  if (flat_floor) {
    t.type = ScarType::boxcar;
    t.profile = "U";
    t.confidence = 0.5 + 0.45 * profile_margin * width_fit(d, s.boxcar_min_diameter_mm, s.boxcar_max_diameter_mm + 1.0);
    t.reason = width_text(d) + ", " + depth_text(m) + format(", steep walls (%.0f\u00b0) and a flat floor: boxcar", m.wall_slope_deg);
    return t;
  }
  // An unseen floor at the bottom of a narrow pit without a seen flat floor (the floor fraction
  // counts seen points only): a deep, tapering pit the scanner could not see into.
  if (m.depth_is_lower_bound && d < s.boxcar_max_diameter_mm && m.depth_to_width >= 0.5 * s.ice_pick_min_depth_to_width) {
    t.type = ScarType::ice_pick;
    t.profile = "V";
    t.confidence = 0.8 * width_fit(d, 0.0, s.ice_pick_max_diameter_mm) + 0.1;
    t.reason = width_text(d) + ", " + depth_text(m) + ", narrow pit: ice pick";
    return t;
  }
  // Tapering or sloping walls: a narrow pit deep for its width is an ice pick; a broad shallow
  // depression with sloping walls is a rolling scar.
  const bool deep_for_width = m.depth_to_width >= s.ice_pick_min_depth_to_width;
  const double middle = 0.5 * (s.ice_pick_max_diameter_mm + s.rolling_min_diameter_mm);
  const bool narrow = d < middle;
  if (deep_for_width && (narrow || m.depth_to_width >= 2 * s.ice_pick_min_depth_to_width)) {
    t.type = ScarType::ice_pick;
    t.profile = "V";
    t.confidence = 0.5 + 0.45 * std::min(profile_margin, margin(m.depth_to_width, s.ice_pick_min_depth_to_width, 0.1)) *
                             width_fit(d, 0.0, s.ice_pick_max_diameter_mm);
    t.reason = width_text(d) + ", " + depth_text(m) + ", tapering walls: ice pick";
    return t;
  }
  t.type = ScarType::rolling;
  t.profile = "M";
  t.confidence = 0.5 + 0.45 * std::min(profile_margin, margin(m.depth_to_width, s.ice_pick_min_depth_to_width, 0.1)) *
                           width_fit(d, s.rolling_min_diameter_mm, 1e9);
  t.reason = width_text(d) + ", " + depth_text(m) + format(", sloping walls (%.0f\u00b0): rolling", m.wall_slope_deg);
  return t;
}

}  // namespace scarscope

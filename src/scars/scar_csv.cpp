#include "scars/scar_csv.h"

#include <cstdio>

namespace scarscope {
namespace {

std::string number(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

// RFC 4180 quoting: the reason holds commas.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

double extra(const Scar& scar, const char* name) {
  const auto it = scar.extra.find(name);
  return it == scar.extra.end() ? 0.0 : it->second;
}

}  // namespace

std::string scar_csv_header() {
  return "scan,id,type,confidence,profile,x_mm,y_mm,area_mm2,diameter_mm,major_mm,minor_mm,depth_um,height_um,"
         "depth_is_lower_bound,mean_depth_um,volume_mm3,wall_slope_deg,floor_fraction,depth_to_width,reason\n";
}

std::string scar_csv_rows(const ScarInventory& inventory, const std::string& scan) {
  std::string out;
  for (const Scar& s : inventory.scars) {
    const bool raised = s.type == ScarType::hypertrophic;
    out += quoted(scan) + "," + std::to_string(s.id) + "," + scar_type_name(s.type) + "," + number(s.confidence, 2) + "," +
           s.profile + "," + number(s.centroid_mm[0], 3) + "," + number(s.centroid_mm[1], 3) + "," + number(s.area_mm2, 4) + "," +
           number(s.diameter_mm, 3) + "," + number(s.major_mm, 3) + "," + number(s.minor_mm, 3) + "," +
           (raised ? "" : number(s.depth_um, 1)) + "," + (raised ? number(s.depth_um, 1) : "") + "," +
           (s.depth_is_lower_bound ? "true" : "false") + "," + number(s.mean_depth_um, 1) + "," + number(s.volume_mm3, 5) + "," +
           number(s.wall_slope_deg, 1) + "," + number(extra(s, "floor_fraction"), 3) + "," + number(extra(s, "depth_to_width"), 4) +
           "," + quoted(s.reason) + "\n";
  }
  return out;
}

}  // namespace scarscope

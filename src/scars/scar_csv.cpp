#include "scars/scar_csv.h"

#include "core/csv.h"

namespace scarscope {

std::string scar_csv_header() {
  return "scan,id,type,confidence,profile,x_mm,y_mm,area_mm2,diameter_mm,major_mm,minor_mm,depth_um,height_um,"
         "depth_is_lower_bound,mean_depth_um,volume_mm3,wall_slope_deg,floor_fraction,depth_to_width,reason\n";
}

std::string scar_csv_rows(const ScarInventory& inventory, const std::string& scan) {
  std::string out;
  for (const Scar& s : inventory.scars) {
    const bool raised = s.type == ScarType::hypertrophic;
    CsvRow row;
    row.text(scan).integer(s.id).plain(scar_type_name(s.type)).number(s.confidence, 2).plain(s.profile);
    row.number(s.centroid_mm[0], 3).number(s.centroid_mm[1], 3).number(s.area_mm2, 4).number(s.diameter_mm, 3);
    row.number(s.major_mm, 3).number(s.minor_mm, 3);
    if (raised) {
      row.empty().number(s.depth_um, 1);
    } else {
      row.number(s.depth_um, 1).empty();
    }
    row.boolean(s.depth_is_lower_bound).number(s.mean_depth_um, 1).number(s.volume_mm3, 5).number(s.wall_slope_deg, 1);
    row.number(s.shape.floor_fraction.value_or(0.0), 3).number(s.shape.depth_to_width.value_or(0.0), 4).text(s.reason);
    out += row.line();
  }
  return out;
}

}  // namespace scarscope

// The scar inventory: the list of scars of one visit with their measurements and types, the
// counts per type and the skin area covered. Every part exchanges scars through it (analysis
// writes it, grading and planning read it, follow-up compares two), as the analysis JSON of DESIGN.md.
#pragma once
#include <array>
#include <filesystem>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace scarscope {

enum class ScarType { ice_pick, boxcar, rolling, hypertrophic };

// "ice_pick", "boxcar", "rolling", "hypertrophic"
const char* scar_type_name(ScarType type);
// Throws InputError for anything else.
ScarType parse_scar_type(const std::string& name);

struct Scar {
  int id = 0;  // unique within the inventory
  ScarType type = ScarType::boxcar;
  double confidence = 0.0;  // 0–1
  std::string reason;       // one line a clinician can read
  std::array<double, 2> centroid_mm{0.0, 0.0};
  double area_mm2 = 0.0;      // full extent, out to the rim
  double diameter_mm = 0.0;   // equivalent-area diameter
  double major_mm = 0.0;
  double minor_mm = 0.0;
  double depth_um = 0.0;      // positive for depressions; for hypertrophic scars this is the height
  bool depth_is_lower_bound = false;  // floor not seen (missing data at the bottom)
  double mean_depth_um = 0.0;
  double volume_mm3 = 0.0;
  double wall_slope_deg = 0.0;
  std::string profile;  // "V", "U", "M", "dome"
  std::vector<std::array<double, 2>> outline_mm;
  // Where the scar came from when several scans were merged ("" for a single scan).
  std::string scan;
  int scan_scar_id = 0;  // its id in that scan's own inventory
  // Set when a clinician input changed this scar; lists what was corrected ("type", ...).
  std::vector<std::string> corrected_by_clinician;
  // Any further measured fields (floor_flatness, depth_to_width, ...) kept as they came.
  std::map<std::string, double> extra;
};

struct ScarCounts {
  int ice_pick = 0, boxcar = 0, rolling = 0, hypertrophic = 0;
  int total() const { return ice_pick + boxcar + rolling + hypertrophic; }
  int of(ScarType type) const;
};

struct ScarInventory {
  std::vector<Scar> scars;
  double coverage_cm2 = 0.0;        // skin area the scans cover (sum over merged scans)
  std::vector<std::string> scans;   // file names of the scans it rests on
  ScarCounts counts() const;
};

// Reads the "scars" list, "counts" and "scan" coverage of an analysis JSON (or a truth file, or a
// clinician's hand-made inventory). Coverage comes from "coverage_cm2" or from the scan's
// nx*dx*ny*dy*valid_fraction. Throws InputError naming the field that is wrong.
ScarInventory inventory_from_json(const nlohmann::json& document, const std::string& source_name = "");
ScarInventory read_inventory(const std::filesystem::path& path);

// {"scars": [...], "counts": {...}, "coverage_cm2": .., "scans": [..]}
nlohmann::json inventory_to_json(const ScarInventory& inventory);
nlohmann::json scar_to_json(const Scar& scar);

// Several scans of one visit into one inventory: coverage adds up, ids are renumbered 1..N and
// each scar keeps its scan name and its id in that scan.
ScarInventory merge_inventories(const std::vector<ScarInventory>& inventories);

}  // namespace scarscope

// The scar inventory: the list of scars of one visit with their measurements and types, the
// counts per type and the skin area covered. Every part exchanges scars through it (analysis
// writes it, grading and planning read it, follow-up compares two), as the analysis JSON of DESIGN.md.
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace scarscope {

enum class ScarType { ice_pick, boxcar, rolling, hypertrophic };

// "ice_pick", "boxcar", "rolling", "hypertrophic"
const char* scar_type_name(ScarType type);
// Throws InputError for anything else.
ScarType parse_scar_type(const std::string& name);
// The four types in their canonical order (the order of "counts").
const std::array<ScarType, 4>& all_scar_types();

// The measurements a source may not give (a clinician's hand-made list gives only id and type).
// Their JSON names are scar_measure_name's ("depth_um" stands for a hypertrophic scar's height_um too).
enum class ScarMeasure : std::uint8_t {
  confidence, centroid_mm, area_mm2, diameter_mm, major_mm, minor_mm, depth_um, mean_depth_um, volume_mm3, wall_slope_deg
};
const char* scar_measure_name(ScarMeasure measure);
std::optional<ScarMeasure> scar_measure_named(std::string_view name);

// A set of ScarMeasure (the ones a scar lacks).
class ScarMeasureSet {
 public:
  void insert(ScarMeasure measure) { bits_ |= bit(measure); }
  void erase(ScarMeasure measure) { bits_ &= static_cast<std::uint16_t>(~bit(measure)); }
  bool contains(ScarMeasure measure) const { return (bits_ & bit(measure)) != 0; }
  bool empty() const { return bits_ == 0; }
  bool operator==(const ScarMeasureSet&) const = default;

 private:
  static std::uint16_t bit(ScarMeasure measure) { return static_cast<std::uint16_t>(1u << static_cast<unsigned>(measure)); }
  std::uint16_t bits_ = 0;
};

// What the typing of an analysed scar rests on, beyond DESIGN.md's measurements (each in the
// analysis JSON under its own name; absent for scars from other sources).
struct ScarShape {
  std::optional<double> floor_fraction;   // share of the extent deeper than half the depth
  std::optional<double> flat_fraction;    // share of the floor that is flat
  std::optional<double> wall_sharpness;   // wall steepness against a cone of the same depth and width
  std::optional<double> depth_to_width;
  std::optional<double> elongation;       // major / minor axis
  std::optional<double> unseen_fraction;  // share of the extent the scanner did not see
  std::optional<double> rim_level_um;     // the depth the extent was traced at
  std::optional<double> max_depth_um;     // the deepest of the scan's own samples, pores on the floor included
  std::optional<bool> extent_extrapolated;  // the rim was extrapolated below the noise floor (JSON: 1 or 0)
  bool operator==(const ScarShape&) const = default;
};

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
  ScarShape shape;
  // Numeric fields of the source that ScarScope does not interpret, kept as they came.
  std::map<std::string, double> extra;
  // Measurements the source did not give (a clinician's hand-made list gives only id and type):
  // their values above are 0 and mean nothing; the JSON writer omits them. Empty (the default)
  // means everything was measured, as from the analysis.
  ScarMeasureSet not_measured;
  bool measured(ScarMeasure measure) const { return !not_measured.contains(measure); }
  // The same by JSON name ("depth_um"); a name that is not a ScarMeasure counts as measured.
  bool measured(std::string_view name) const;
};

struct ScarCounts {
  int ice_pick = 0, boxcar = 0, rolling = 0, hypertrophic = 0;
  int total() const { return ice_pick + boxcar + rolling + hypertrophic; }
  int of(ScarType type) const;
  int& of(ScarType type);
};

struct ScarInventory {
  std::vector<Scar> scars;
  double coverage_cm2 = 0.0;        // skin area the scans cover (sum over merged scans)
  std::vector<std::string> scans;   // file names of the scans it rests on
  ScarCounts counts() const;        // listed scars plus `unlisted`
  // Scars counted but not listed one by one (a clinician's hand count: "counts" larger than the
  // list). They have a type and nothing else.
  ScarCounts unlisted;
  // True for a clinician's count of the whole face (the document has no scan, scans or
  // coverage_cm2, or says "hand_count": true): grades from it are clinician_only, not 3D estimates.
  bool hand_count = false;
  std::string source;                 // the file it was read from ("" if built in memory)
  std::vector<std::string> warnings;  // what the reader tolerated (e.g. depth_um on a hypertrophic scar)
};

// Reads the "scars" list, "counts" and "scan" coverage of an analysis JSON (or a truth file, or a
// clinician's hand-made inventory). Coverage comes from "coverage_cm2" (top level or inside "scan")
// or from the scan's nx*dx_um*ny*dy_um*valid_fraction. Throws InputError naming the field that is wrong.
// What is required: the document is a JSON object with "scars" (a list) and/or "counts". Each scar
// needs "id" (integer >= 0, unique) and "type"; every measurement is optional. "counts", when given,
// must be at least the number of listed scars of each type; the difference is `unlisted`.
// A hypertrophic scar gives its height as "height_um" (a "depth_um" is accepted with a warning).
ScarInventory inventory_from_json(const nlohmann::json& document, const std::string& source_name = "");
ScarInventory read_inventory(const std::filesystem::path& path);
// One scar object; `where` prefixes error messages ("cheek.json: scars[2]").
Scar scar_from_json(const nlohmann::json& object, const std::string& where = "scar");

// {"scars": [...], "counts": {...}, "coverage_cm2": .., "scans": [..]} (+ "hand_count": true for a
// hand count). Reading it back gives the same inventory.
nlohmann::json inventory_to_json(const ScarInventory& inventory);
nlohmann::json scar_to_json(const Scar& scar);
// {"ice_pick": n, "boxcar": n, "rolling": n, "hypertrophic": n}
nlohmann::json counts_to_json(const ScarCounts& counts);

// Several scans of one visit into one inventory: coverage adds up, ids are renumbered 1..N and
// each scar keeps its scan name and its id in that scan. A scar that already has a scan (from an
// earlier merge) keeps it; otherwise the scan is the inventory's single scan name, else its source.
ScarInventory merge_inventories(const std::vector<ScarInventory>& inventories);

}  // namespace scarscope

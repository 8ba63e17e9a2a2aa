#include "synth/evaluation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numbers>
#include <set>
#include <sstream>
#include <vector>

#include "core/error.h"

namespace scarscope::synth {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::vector<std::string>& band_names() {
  static const std::vector<std::string> names{"<1.5", "1.5-2", "2-4", "4-5", ">=5"};
  return names;
}

// A scar as the evaluation sees it, from either side.
struct ScarRecord {
  int id = 0;
  std::string type;
  double x = 0.0;
  double y = 0.0;
  double diameter_mm = NAN;
  double depth_um = NAN;  // depth, or height for hypertrophic
  double volume_mm3 = NAN;
  bool depth_is_lower_bound = false;
};

double number_or_nan(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return NAN;
  return it->get<double>();
}

std::vector<ScarRecord> read_scars(const json& document, const std::string& what) {
  if (!document.is_object() || !document.contains("scars") || !document["scars"].is_array()) {
    throw InputError(what + ": expected a JSON object with a \"scars\" array");
  }
  std::vector<ScarRecord> scars;
  std::size_t index = 0;
  for (const json& s : document["scars"]) {
    const std::string where = what + ": scars[" + std::to_string(index++) + "]";
    if (!s.is_object()) throw InputError(where + " is not an object");
    const auto centroid = s.find("centroid_mm");
    if (centroid == s.end() || !centroid->is_array() || centroid->size() != 2 || !(*centroid)[0].is_number() ||
        !(*centroid)[1].is_number()) {
      throw InputError(where + ".centroid_mm must be [x, y] in mm");
    }
    ScarRecord r;
    r.id = s.value("id", static_cast<int>(index));
    r.type = s.value("type", std::string("unknown"));
    r.x = (*centroid)[0].get<double>();
    r.y = (*centroid)[1].get<double>();
    r.diameter_mm = number_or_nan(s, "diameter_mm");
    r.depth_um = r.type == "hypertrophic" ? number_or_nan(s, "height_um") : number_or_nan(s, "depth_um");
    if (std::isnan(r.depth_um)) r.depth_um = number_or_nan(s, "depth_um");
    r.volume_mm3 = number_or_nan(s, "volume_mm3");
    r.depth_is_lower_bound = s.value("depth_is_lower_bound", false);
    scars.push_back(r);
  }
  return scars;
}

double match_radius(const ScarRecord& truth) {
  const double half = std::isnan(truth.diameter_mm) ? 0.0 : truth.diameter_mm / 2.0;
  return std::max(kMinMatchRadiusMm, half);
}

struct Pair {
  std::size_t truth = 0;
  std::size_t found = 0;
  double distance = 0.0;
};

// Nearest first, one to one, each true scar within its own radius.
std::vector<Pair> match_nearest(const std::vector<ScarRecord>& truth, const std::vector<ScarRecord>& found) {
  std::vector<Pair> candidates;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    for (std::size_t j = 0; j < found.size(); ++j) {
      const double d = std::hypot(truth[i].x - found[j].x, truth[i].y - found[j].y);
      if (d <= match_radius(truth[i])) candidates.push_back({i, j, d});
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(), [](const Pair& a, const Pair& b) {
    if (a.distance != b.distance) return a.distance < b.distance;
    if (a.truth != b.truth) return a.truth < b.truth;
    return a.found < b.found;
  });
  std::vector<bool> truth_used(truth.size(), false);
  std::vector<bool> found_used(found.size(), false);
  std::vector<Pair> pairs;
  for (const Pair& p : candidates) {
    if (truth_used[p.truth] || found_used[p.found]) continue;
    truth_used[p.truth] = found_used[p.found] = true;
    pairs.push_back(p);
  }
  return pairs;
}

// Percentile with linear interpolation between order statistics (numpy's default).
double percentile(std::vector<double> values, double q) {
  if (values.empty()) return NAN;
  std::sort(values.begin(), values.end());
  const double position = q / 100.0 * static_cast<double>(values.size() - 1);
  const auto low = static_cast<std::size_t>(std::floor(position));
  const std::size_t high = std::min(values.size() - 1, low + 1);
  const double f = position - static_cast<double>(low);
  return values[low] + f * (values[high] - values[low]);
}

json number_or_null(double value, int decimals = 4) {
  if (!std::isfinite(value)) return nullptr;
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

// What one scored scan contributes to an aggregate.
struct Tally {
  int scans = 0;
  int true_count = 0;
  int found_count = 0;
  int matched = 0;
  int type_correct = 0;
  double area_cm2 = 0.0;
  double clear_area_cm2 = 0.0;
  int clear_false_positives = 0;
  std::map<std::string, std::map<std::string, int>> confusion;
  std::map<std::string, std::map<std::string, std::map<std::string, int>>> confusion_by_band;
  std::map<std::string, int> false_positive_types;
  std::map<std::string, std::vector<double>> errors;         // absolute % errors
  std::map<std::string, std::vector<double>> signed_errors;  // signed % errors

  void add(const Tally& other) {
    scans += other.scans;
    true_count += other.true_count;
    found_count += other.found_count;
    matched += other.matched;
    type_correct += other.type_correct;
    area_cm2 += other.area_cm2;
    clear_area_cm2 += other.clear_area_cm2;
    clear_false_positives += other.clear_false_positives;
    for (const auto& [t, row] : other.confusion) {
      for (const auto& [f, n] : row) confusion[t][f] += n;
    }
    for (const auto& [b, table] : other.confusion_by_band) {
      for (const auto& [t, row] : table) {
        for (const auto& [f, n] : row) confusion_by_band[b][t][f] += n;
      }
    }
    for (const auto& [f, n] : other.false_positive_types) false_positive_types[f] += n;
    for (const auto& [k, v] : other.errors) errors[k].insert(errors[k].end(), v.begin(), v.end());
    for (const auto& [k, v] : other.signed_errors) signed_errors[k].insert(signed_errors[k].end(), v.begin(), v.end());
  }
};

json tally_json(const Tally& t) {
  const int false_positives = t.found_count - t.matched;
  const int missed = t.true_count - t.matched;
  const double precision = t.found_count > 0 ? static_cast<double>(t.matched) / t.found_count : 1.0;
  const double recall = t.true_count > 0 ? static_cast<double>(t.matched) / t.true_count : 1.0;
  const double f1 = precision + recall > 0.0 ? 2.0 * precision * recall / (precision + recall) : 0.0;
  json j;
  j["true_scars"] = t.true_count;
  j["found_scars"] = t.found_count;
  j["matched"] = t.matched;
  j["missed"] = missed;
  j["false_positives"] = false_positives;
  j["precision"] = number_or_null(precision);
  j["recall"] = number_or_null(recall);
  j["f1"] = number_or_null(f1);
  j["type_accuracy"] = t.matched > 0 ? number_or_null(static_cast<double>(t.type_correct) / t.matched) : json(nullptr);
  json confusion = json::object();
  for (const auto& [truth_type, row] : t.confusion) confusion[truth_type] = row;
  j["confusion"] = confusion;
  json by_band = json::object();
  for (const auto& band : band_names()) {
    const auto it = t.confusion_by_band.find(band);
    json table = json::object();
    if (it != t.confusion_by_band.end()) {
      for (const auto& [truth_type, row] : it->second) table[truth_type] = row;
    }
    by_band[band] = table;
  }
  j["confusion_by_band"] = by_band;
  j["false_positive_types"] = t.false_positive_types;
  json errors = json::object();
  for (const char* key : {"depth", "diameter", "volume"}) {
    const auto it = t.errors.find(key);
    const std::vector<double> empty;
    const std::vector<double>& values = it == t.errors.end() ? empty : it->second;
    const auto signed_it = t.signed_errors.find(key);
    const std::vector<double>& signed_values = signed_it == t.signed_errors.end() ? empty : signed_it->second;
    errors[key] = {{"median_pct", number_or_null(percentile(values, 50.0), 2)},
                   {"p90_pct", number_or_null(percentile(values, 90.0), 2)},
                   {"median_signed_pct", number_or_null(percentile(signed_values, 50.0), 2)},
                   {"n", values.size()}};
  }
  j["errors"] = errors;
  j["area_cm2"] = number_or_null(t.area_cm2, 3);
  j["false_positives_per_cm2"] = t.area_cm2 > 0.0 ? number_or_null(false_positives / t.area_cm2, 4) : json(nullptr);
  j["false_positives_per_cm2_clear"] =
      t.clear_area_cm2 > 0.0 ? number_or_null(t.clear_false_positives / t.clear_area_cm2, 4) : json(nullptr);
  return j;
}

std::string preset_of(const json& truth) {
  if (truth.contains("generator") && truth["generator"].is_object()) {
    return truth["generator"].value("preset", std::string("unknown"));
  }
  return "unknown";
}

double area_cm2_of(const json& truth) {
  if (!truth.contains("scan") || !truth["scan"].is_object()) return 0.0;
  const json& scan = truth["scan"];
  const double nx = scan.value("nx", 0.0);
  const double ny = scan.value("ny", 0.0);
  const double dx = scan.value("dx_um", 0.0);
  const double dy = scan.value("dy_um", 0.0);
  return nx * dx * ny * dy * 1e-8;  // um2 -> cm2
}

void add_error(Tally& tally, const char* key, double found, double truth) {
  if (!std::isfinite(found) || !std::isfinite(truth) || truth == 0.0) return;
  const double pct = (found - truth) / truth * 100.0;
  tally.errors[key].push_back(std::abs(pct));
  tally.signed_errors[key].push_back(pct);
}

Tally score_analysis(const json& truth_document, const json& result_document, json* matches_out) {
  const std::vector<ScarRecord> truth = read_scars(truth_document, "truth");
  const std::vector<ScarRecord> found = read_scars(result_document, "result");
  const std::vector<Pair> pairs = match_nearest(truth, found);
  Tally tally;
  tally.scans = 1;
  tally.true_count = static_cast<int>(truth.size());
  tally.found_count = static_cast<int>(found.size());
  tally.matched = static_cast<int>(pairs.size());
  tally.area_cm2 = area_cm2_of(truth_document);
  const bool clear = preset_of(truth_document) == "clear";
  std::vector<int> found_for_truth(truth.size(), -1);
  std::vector<bool> found_matched(found.size(), false);
  json matches = json::array();
  for (const Pair& p : pairs) {
    found_for_truth[p.truth] = static_cast<int>(p.found);
    found_matched[p.found] = true;
    const ScarRecord& t = truth[p.truth];
    const ScarRecord& f = found[p.found];
    if (t.type == f.type) ++tally.type_correct;
    add_error(tally, "diameter", f.diameter_mm, t.diameter_mm);
    add_error(tally, "volume", f.volume_mm3, t.volume_mm3);
    if (!t.depth_is_lower_bound) add_error(tally, "depth", f.depth_um, t.depth_um);
    matches.push_back({{"true_id", t.id},
                       {"found_id", f.id},
                       {"distance_mm", number_or_null(p.distance, 4)},
                       {"true_type", t.type},
                       {"found_type", f.type}});
  }
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const std::string found_type = found_for_truth[i] >= 0 ? found[static_cast<std::size_t>(found_for_truth[i])].type
                                                           : std::string("missed");
    ++tally.confusion[truth[i].type][found_type];
    ++tally.confusion_by_band[width_band(truth[i].diameter_mm)][truth[i].type][found_type];
  }
  int false_positives = 0;
  for (std::size_t j = 0; j < found.size(); ++j) {
    if (!found_matched[j]) {
      ++tally.false_positive_types[found[j].type];
      ++false_positives;
    }
  }
  if (clear) {
    tally.clear_area_cm2 = tally.area_cm2;
    tally.clear_false_positives = false_positives;
  }
  if (matches_out) *matches_out = matches;
  return tally;
}

// ---------------------------------------------------------------------------------------------
// Follow-ups.

struct Transform {
  double shift_x = 0.0;
  double shift_y = 0.0;
  double rotation_deg = 0.0;
  double center_x = 0.0;
  double center_y = 0.0;

  void apply(double x, double y, double& ox, double& oy) const {
    const double a = rotation_deg * std::numbers::pi / 180.0;
    const double dx = x - center_x;
    const double dy = y - center_y;
    ox = center_x + std::cos(a) * dx - std::sin(a) * dy + shift_x;
    oy = center_y + std::sin(a) * dx + std::cos(a) * dy + shift_y;
  }
};

Transform read_transform(const json& object, const std::string& what) {
  try {
    Transform t;
    t.shift_x = object.at("shift_mm").at(0).get<double>();
    t.shift_y = object.at("shift_mm").at(1).get<double>();
    t.rotation_deg = object.at("rotation_deg").get<double>();
    t.center_x = object.at("center_mm").at(0).get<double>();
    t.center_y = object.at("center_mm").at(1).get<double>();
    return t;
  } catch (const json::exception&) {
    throw InputError(what + ": expected {\"shift_mm\": [x, y], \"rotation_deg\": r, \"center_mm\": [x, y]}");
  }
}

bool read_point(const json& object, const char* key, double& x, double& y) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_array() || it->size() != 2 || !(*it)[0].is_number() || !(*it)[1].is_number()) {
    return false;
  }
  x = (*it)[0].get<double>();
  y = (*it)[1].get<double>();
  return true;
}

struct FollowupTally {
  int pairs = 0;
  int truth_in_view = 0;
  int matched = 0;
  int unchanged = 0;
  int unchanged_reported_changed = 0;
  int changed = 0;
  int changed_reported_changed = 0;
  std::vector<double> registration_mm;
  std::vector<double> rotation_error_deg;
  std::vector<double> volume_change_error_pp;
  std::vector<double> global_change_error_pp;

  void add(const FollowupTally& o) {
    pairs += o.pairs;
    truth_in_view += o.truth_in_view;
    matched += o.matched;
    unchanged += o.unchanged;
    unchanged_reported_changed += o.unchanged_reported_changed;
    changed += o.changed;
    changed_reported_changed += o.changed_reported_changed;
    registration_mm.insert(registration_mm.end(), o.registration_mm.begin(), o.registration_mm.end());
    rotation_error_deg.insert(rotation_error_deg.end(), o.rotation_error_deg.begin(), o.rotation_error_deg.end());
    volume_change_error_pp.insert(volume_change_error_pp.end(), o.volume_change_error_pp.begin(),
                                  o.volume_change_error_pp.end());
    global_change_error_pp.insert(global_change_error_pp.end(), o.global_change_error_pp.begin(),
                                  o.global_change_error_pp.end());
  }
};

json followup_tally_json(const FollowupTally& t) {
  json j;
  j["pairs"] = t.pairs;
  j["registration"] = {{"mean_error_mm", number_or_null(t.registration_mm.empty() ? NAN : [&] {
                          double s = 0.0;
                          for (const double v : t.registration_mm) s += v;
                          return s / static_cast<double>(t.registration_mm.size());
                        }())},
                       {"p90_error_mm", number_or_null(percentile(t.registration_mm, 90.0))},
                       {"max_error_mm", number_or_null(t.registration_mm.empty()
                                                           ? NAN
                                                           : *std::max_element(t.registration_mm.begin(),
                                                                               t.registration_mm.end()))},
                       {"median_rotation_error_deg", number_or_null(percentile(t.rotation_error_deg, 50.0))},
                       {"max_rotation_error_deg",
                        number_or_null(t.rotation_error_deg.empty()
                                           ? NAN
                                           : *std::max_element(t.rotation_error_deg.begin(), t.rotation_error_deg.end()))}};
  j["true_scars_in_view"] = t.truth_in_view;
  j["matched"] = t.matched;
  j["match_rate"] = t.truth_in_view > 0 ? number_or_null(static_cast<double>(t.matched) / t.truth_in_view) : json(nullptr);
  j["volume_change_error_pp"] = {{"median", number_or_null(percentile(t.volume_change_error_pp, 50.0), 2)},
                                 {"p90", number_or_null(percentile(t.volume_change_error_pp, 90.0), 2)},
                                 {"n", t.volume_change_error_pp.size()}};
  j["global_change_error_pp"] = {{"median", number_or_null(percentile(t.global_change_error_pp, 50.0), 2)},
                                 {"max", number_or_null(t.global_change_error_pp.empty()
                                                            ? NAN
                                                            : *std::max_element(t.global_change_error_pp.begin(),
                                                                                t.global_change_error_pp.end()),
                                                        2)}};
  j["unchanged_scars"] = t.unchanged;
  j["unchanged_reported_changed"] = t.unchanged_reported_changed;
  j["false_change_rate"] =
      t.unchanged > 0 ? number_or_null(static_cast<double>(t.unchanged_reported_changed) / t.unchanged) : json(nullptr);
  j["changed_scars"] = t.changed;
  j["changed_reported_changed"] = t.changed_reported_changed;
  j["change_detection_rate"] =
      t.changed > 0 ? number_or_null(static_cast<double>(t.changed_reported_changed) / t.changed) : json(nullptr);
  return j;
}

FollowupTally score_followup(const json& truth, const json& compare, json* details) {
  if (!truth.is_object() || !truth.contains("pose")) {
    throw InputError("follow-up truth: no \"pose\" object (make it with scarscope synth --followup-of)");
  }
  if (!compare.is_object() || !compare.contains("registration")) {
    throw InputError("compare result: no \"registration\" object (expected the follow-up JSON of scarscope compare)");
  }
  const Transform true_pose = read_transform(truth["pose"], "follow-up truth: pose");
  const Transform reported = read_transform(compare["registration"], "compare result: registration");
  FollowupTally tally;
  tally.pairs = 1;
  struct TrueScar {
    int id;
    double bx, by, fx, fy, radius, expected, factor;
  };
  std::vector<TrueScar> true_scars;
  for (const json& s : truth.value("scars", json::array())) {
    TrueScar t{};
    t.id = s.value("id", 0);
    if (!read_point(s, "baseline_centroid_mm", t.bx, t.by) || !read_point(s, "centroid_mm", t.fx, t.fy)) continue;
    t.radius = std::max(kMinMatchRadiusMm, s.value("diameter_mm", 0.0) / 2.0);
    t.factor = s.value("response_factor", 1.0);
    t.expected = s.contains("expected") ? s["expected"].value("volume_change_pct", 0.0) : 0.0;
    if (!s.value("fully_in_view", true)) continue;
    true_scars.push_back(t);
  }
  // Registration: map the true baseline centroids with both transforms (or a grid of scan points
  // when the scan has no scars).
  std::vector<std::pair<double, double>> probes;
  for (const TrueScar& t : true_scars) probes.emplace_back(t.bx, t.by);
  if (probes.empty()) {
    const double w = 2.0 * true_pose.center_x;
    const double h = 2.0 * true_pose.center_y;
    for (int i = 0; i <= 4; ++i) {
      for (int k = 0; k <= 4; ++k) probes.emplace_back(w * i / 4.0, h * k / 4.0);
    }
  }
  for (const auto& [x, y] : probes) {
    double tx = 0.0;
    double ty = 0.0;
    double rx = 0.0;
    double ry = 0.0;
    true_pose.apply(x, y, tx, ty);
    reported.apply(x, y, rx, ry);
    tally.registration_mm.push_back(std::hypot(tx - rx, ty - ry));
  }
  tally.rotation_error_deg.push_back(std::abs(reported.rotation_deg - true_pose.rotation_deg));

  // Pair the reported scars with the true ones: both centroids must fall near the truth.
  struct Reported {
    double bx, by, fx, fy, change;
    std::string status;
    bool has_followup;
  };
  std::vector<Reported> reported_scars;
  for (const json& s : compare.value("scars", json::array())) {
    Reported r{};
    if (!read_point(s, "baseline_centroid_mm", r.bx, r.by)) continue;
    r.has_followup = read_point(s, "followup_centroid_mm", r.fx, r.fy);
    r.change = s.contains("volume_change_pct") && s["volume_change_pct"].is_number()
                   ? s["volume_change_pct"].get<double>()
                   : NAN;
    r.status = s.value("status", std::string());
    reported_scars.push_back(r);
  }
  std::vector<Pair> candidates;
  for (std::size_t i = 0; i < true_scars.size(); ++i) {
    for (std::size_t j = 0; j < reported_scars.size(); ++j) {
      const Reported& r = reported_scars[j];
      if (!r.has_followup) continue;
      const double db = std::hypot(true_scars[i].bx - r.bx, true_scars[i].by - r.by);
      const double df = std::hypot(true_scars[i].fx - r.fx, true_scars[i].fy - r.fy);
      if (db <= true_scars[i].radius && df <= true_scars[i].radius) candidates.push_back({i, j, db + df});
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Pair& a, const Pair& b) { return a.distance < b.distance; });
  std::vector<bool> truth_used(true_scars.size(), false);
  std::vector<bool> reported_used(reported_scars.size(), false);
  json scars = json::array();
  tally.truth_in_view = static_cast<int>(true_scars.size());
  for (const Pair& p : candidates) {
    if (truth_used[p.truth] || reported_used[p.found]) continue;
    truth_used[p.truth] = reported_used[p.found] = true;
    ++tally.matched;
    const TrueScar& t = true_scars[p.truth];
    const Reported& r = reported_scars[p.found];
    const bool reported_changed = r.status == "improved" || r.status == "worse";
    if (std::isfinite(r.change)) tally.volume_change_error_pp.push_back(std::abs(r.change - t.expected));
    if (t.factor == 1.0) {
      ++tally.unchanged;
      if (reported_changed) ++tally.unchanged_reported_changed;
    } else if (std::abs(t.expected) >= 20.0) {
      ++tally.changed;
      if (reported_changed) ++tally.changed_reported_changed;
    }
    scars.push_back({{"true_id", t.id},
                     {"expected_volume_change_pct", number_or_null(t.expected, 2)},
                     {"reported_volume_change_pct", number_or_null(r.change, 2)},
                     {"status", r.status}});
  }
  if (truth.contains("expected_global") && compare.contains("global") && compare["global"].is_object() &&
      compare["global"].contains("volume_change_pct") && compare["global"]["volume_change_pct"].is_number()) {
    tally.global_change_error_pp.push_back(std::abs(compare["global"]["volume_change_pct"].get<double>() -
                                                    truth["expected_global"].value("volume_change_pct", 0.0)));
  }
  if (details) *details = scars;
  return tally;
}

json read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path.string() + ": cannot open the file");
  try {
    json j;
    in >> j;
    return j;
  } catch (const json::exception& e) {
    throw InputError(path.string() + ": not valid JSON: " + e.what());
  }
}

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

std::string fmt(const json& value, const char* pattern = "%.3f") {
  if (value.is_null()) return "n/a";
  if (value.is_number()) return format(pattern, value.get<double>());
  return value.dump();
}

void detection_text(std::ostringstream& out, const json& r, const std::string& indent) {
  out << indent << "detection   precision " << fmt(r["precision"]) << ", recall " << fmt(r["recall"]) << ", F1 "
      << fmt(r["f1"]) << "  (" << r["matched"] << " of " << r["true_scars"] << " found, " << r["false_positives"]
      << " false positives)\n";
  out << indent << "typing      accuracy " << fmt(r["type_accuracy"]) << " of matched scars\n";
  for (const char* key : {"depth", "diameter", "volume"}) {
    const json& e = r["errors"][key];
    out << indent << "error       " << key << ": median " << fmt(e["median_pct"], "%.1f") << " %, p90 "
        << fmt(e["p90_pct"], "%.1f") << " % (n " << e["n"] << ")\n";
  }
  if (!r["false_positives_per_cm2_clear"].is_null()) {
    out << indent << "clear skin  " << fmt(r["false_positives_per_cm2_clear"]) << " false positives per cm2\n";
  }
}

void followup_text(std::ostringstream& out, const json& f, const std::string& indent) {
  out << indent << "registration mean error " << fmt(f["registration"]["mean_error_mm"]) << " mm, max "
      << fmt(f["registration"]["max_error_mm"]) << " mm, rotation error "
      << fmt(f["registration"]["median_rotation_error_deg"]) << " deg\n";
  out << indent << "matching     " << f["matched"] << " of " << f["true_scars_in_view"] << " scars (rate "
      << fmt(f["match_rate"]) << ")\n";
  out << indent << "change       volume change error median " << fmt(f["volume_change_error_pp"]["median"], "%.1f")
      << " pp, p90 " << fmt(f["volume_change_error_pp"]["p90"], "%.1f") << " pp; global error "
      << fmt(f["global_change_error_pp"]["median"], "%.1f") << " pp\n";
  out << indent << "unchanged    " << f["unchanged_reported_changed"] << " of " << f["unchanged_scars"]
      << " unchanged scars reported as changed\n";
}

}  // namespace

std::string width_band(double diameter_mm) {
  if (!std::isfinite(diameter_mm) || diameter_mm < 1.5) return "<1.5";
  if (diameter_mm < 2.0) return "1.5-2";
  if (diameter_mm < 4.0) return "2-4";
  if (diameter_mm < 5.0) return "4-5";
  return ">=5";
}

json evaluate_analysis(const json& truth, const json& result) {
  json matches;
  const Tally tally = score_analysis(truth, result, &matches);
  json report = tally_json(tally);
  report["kind"] = "analysis";
  report["preset"] = preset_of(truth);
  report["match_rule"] = "nearest centroid within max(0.6 mm, half the true diameter), one to one";
  report["matches"] = matches;
  return report;
}

json evaluate_followup(const json& followup_truth, const json& compare) {
  json details;
  const FollowupTally tally = score_followup(followup_truth, compare, &details);
  json report = followup_tally_json(tally);
  report["kind"] = "followup";
  report["true_pose"] = followup_truth["pose"];
  report["reported_registration"] = compare["registration"];
  report["scars"] = details;
  return report;
}

json evaluate_suite(const fs::path& folder, const std::function<void(const std::string&)>& progress) {
  if (!fs::is_directory(folder)) throw InputError(folder.string() + ": not a folder");
  std::vector<fs::path> truths;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 11 && name.ends_with(".truth.json")) truths.push_back(entry.path());
  }
  std::sort(truths.begin(), truths.end());
  Tally overall;
  std::map<std::string, Tally> by_preset;
  FollowupTally followups;
  json per_scan = json::array();
  json missing = json::array();
  int done = 0;
  for (const fs::path& truth_path : truths) {
    const std::string file = truth_path.filename().string();
    const std::string name = file.substr(0, file.size() - 11);
    if (progress) progress("scoring " + name + " (" + std::to_string(++done) + "/" + std::to_string(truths.size()) + ")");
    const json truth = read_json(truth_path);
    const fs::path analysis = folder / (name + ".analysis.json");
    if (fs::exists(analysis)) {
      const Tally tally = score_analysis(truth, read_json(analysis), nullptr);
      overall.add(tally);
      by_preset[preset_of(truth)].add(tally);
      const json summary = tally_json(tally);
      per_scan.push_back({{"name", name},
                          {"preset", preset_of(truth)},
                          {"precision", summary["precision"]},
                          {"recall", summary["recall"]},
                          {"f1", summary["f1"]},
                          {"type_accuracy", summary["type_accuracy"]}});
    } else {
      missing.push_back(analysis.filename().string());
    }
    if (truth.contains("pose")) {
      const fs::path compare = folder / (name + ".compare.json");
      if (fs::exists(compare)) {
        followups.add(score_followup(truth, read_json(compare), nullptr));
      } else {
        missing.push_back(compare.filename().string());
      }
    }
  }
  json report;
  report["kind"] = "suite";
  report["folder"] = folder.string();
  report["truth_files"] = truths.size();
  report["scored_scans"] = overall.scans;
  report["missing_results"] = missing;
  report["match_rule"] = "nearest centroid within max(0.6 mm, half the true diameter), one to one";
  report["overall"] = tally_json(overall);
  json presets = json::object();
  for (const auto& [preset, tally] : by_preset) {
    presets[preset] = tally_json(tally);
    presets[preset]["scans"] = tally.scans;
  }
  report["by_preset"] = presets;
  report["followup"] = followups.pairs > 0 ? followup_tally_json(followups) : json(nullptr);
  report["per_scan"] = per_scan;
  return report;
}

std::string evaluation_text(const json& report) {
  std::ostringstream out;
  const std::string kind = report.value("kind", std::string());
  if (kind == "analysis") {
    out << "scored against the truth (preset " << report.value("preset", std::string("?")) << ")\n";
    detection_text(out, report, "  ");
  } else if (kind == "followup") {
    out << "follow-up scored against the truth\n";
    followup_text(out, report, "  ");
  } else if (kind == "suite") {
    out << "suite " << report["folder"].get<std::string>() << ": " << report["scored_scans"] << " of "
        << report["truth_files"] << " scans scored";
    if (!report["missing_results"].empty()) out << " (" << report["missing_results"].size() << " results missing)";
    out << "\n overall\n";
    detection_text(out, report["overall"], "  ");
    for (const auto& [preset, r] : report["by_preset"].items()) {
      out << " " << preset << " (" << r["scans"] << " scans)\n";
      detection_text(out, r, "  ");
    }
    if (!report["followup"].is_null()) {
      out << " follow-ups (" << report["followup"]["pairs"] << " pairs)\n";
      followup_text(out, report["followup"], "  ");
    }
  }
  return out.str();
}

}  // namespace scarscope::synth

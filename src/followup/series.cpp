#include "followup/series.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/error.h"

namespace scarscope {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

nlohmann::json number_or_null(double value, int decimals) {
  if (!std::isfinite(value)) return nullptr;
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

struct Track {
  int id = 0;
  std::optional<int> baseline_id;
  std::array<double, 2> baseline_frame_mm{0.0, 0.0};
  double diameter_mm = 0.0;
};

const Scar* find_scar(const ScarInventory& inventory, int id) {
  for (const Scar& s : inventory.scars)
    if (s.id == id) return &s;
  return nullptr;
}

}  // namespace

const char* trajectory_status_name(TrajectoryStatus status) {
  switch (status) {
    case TrajectoryStatus::baseline: return "baseline";
    case TrajectoryStatus::improved: return change_status_name(ChangeStatus::improved);
    case TrajectoryStatus::stable: return change_status_name(ChangeStatus::stable);
    case TrajectoryStatus::worse: return change_status_name(ChangeStatus::worse);
    case TrajectoryStatus::new_scar: return change_status_name(ChangeStatus::new_scar);
    case TrajectoryStatus::resolved: return change_status_name(ChangeStatus::resolved);
    case TrajectoryStatus::not_found: return change_status_name(ChangeStatus::not_found);
    case TrajectoryStatus::not_seen: return "not_seen";
    case TrajectoryStatus::not_registered: return "not_registered";
  }
  return "baseline";
}

TrajectoryStatus trajectory_status(ChangeStatus change) {
  switch (change) {
    case ChangeStatus::improved: return TrajectoryStatus::improved;
    case ChangeStatus::stable: return TrajectoryStatus::stable;
    case ChangeStatus::worse: return TrajectoryStatus::worse;
    case ChangeStatus::new_scar: return TrajectoryStatus::new_scar;
    case ChangeStatus::resolved: return TrajectoryStatus::resolved;
    case ChangeStatus::not_found: return TrajectoryStatus::not_found;
  }
  return TrajectoryStatus::stable;
}

TrajectoryStatus parse_trajectory_status(const std::string& name) {
  for (const TrajectoryStatus status :
       {TrajectoryStatus::baseline, TrajectoryStatus::improved, TrajectoryStatus::stable, TrajectoryStatus::worse,
        TrajectoryStatus::new_scar, TrajectoryStatus::resolved, TrajectoryStatus::not_found, TrajectoryStatus::not_seen,
        TrajectoryStatus::not_registered}) {
    if (name == trajectory_status_name(status)) return status;
  }
  throw InputError("'" + name + "' is not a trajectory status", ErrorCode::bad_input);
}

SeriesComparison compare_series(const std::vector<SeriesVisit>& visits, const CompareOptions& options,
                                const Progress* progress) {
  if (visits.size() < 2) throw InputError("a series needs at least two visits (the first is the baseline)", ErrorCode::bad_input);
  for (const SeriesVisit& v : visits) {
    if (!v.map || !v.scars) throw InputError("series visit " + v.name + " has no scan or no analysis", ErrorCode::missing_field);
  }
  std::vector<VisitComparison> comparisons;
  std::vector<const ScarInventory*> scars{visits[0].scars};
  for (std::size_t k = 1; k < visits.size(); ++k) {
    const double share = 1.0 / static_cast<double>(visits.size() - 1);
    const Progress part = sub_progress(progress, static_cast<double>(k - 1) * share, static_cast<double>(k) * share);
    comparisons.push_back(compare_visits(*visits[0].map, *visits[0].scars, *visits[k].map, *visits[k].scars, options, &part));
    scars.push_back(visits[k].scars);
  }
  return series_from_comparisons(scars, std::move(comparisons), options.matching);
}

SeriesComparison series_from_comparisons(const std::vector<const ScarInventory*>& scars,
                                         std::vector<VisitComparison> comparisons, const MatchingOptions& matching) {
  if (scars.size() < 2) throw InputError("a series needs at least two visits (the first is the baseline)", ErrorCode::bad_input);
  if (comparisons.size() + 1 != scars.size()) {
    throw InputError("a series of " + std::to_string(scars.size()) + " visits needs " + std::to_string(scars.size() - 1) +
                         " comparisons with the baseline, not " + std::to_string(comparisons.size()),
                     ErrorCode::bad_input);
  }
  for (const ScarInventory* inventory : scars) {
    if (inventory == nullptr) throw InputError("a series visit has no analysis", ErrorCode::missing_field);
  }
  SeriesComparison series;
  const ScarInventory& baseline = *scars[0];
  std::vector<Track> tracks;
  std::map<int, std::size_t> trajectory_of_track;
  int next_id = 1;
  for (const Scar& s : baseline.scars) {
    tracks.push_back({s.id, s.id, s.centroid_mm, s.diameter_mm});
    next_id = std::max(next_id, s.id + 1);
    ScarTrajectory trajectory;
    trajectory.id = s.id;
    trajectory.baseline_id = s.id;
    trajectory.type = scar_type_name(s.type);
    trajectory.points.push_back({1, s.id, s.volume_mm3, 0.0, 0.0, s.depth_um, TrajectoryStatus::baseline});
    trajectory_of_track[s.id] = series.scars.size();
    series.scars.push_back(std::move(trajectory));
  }
  for (std::size_t k = 1; k < scars.size(); ++k) {
    const int visit = static_cast<int>(k) + 1;
    VisitComparison& comparison = comparisons[k - 1];
    std::vector<bool> used(tracks.size(), false);
    for (const ScarChange& change : comparison.scars) {
      int track_id = -1;
      if (change.baseline_id) {
        track_id = *change.baseline_id;
      } else if (change.followup_centroid_mm) {
        // A scar the baseline did not list: the same one as at an earlier follow-up if it sits where
        // that one sat (in baseline coordinates), else a new identity.
        const auto p = comparison.registration.transform.to_baseline(*change.followup_centroid_mm);
        const Scar* scar = change.followup_id ? find_scar(*scars[k], *change.followup_id) : nullptr;
        const double diameter = scar ? scar->diameter_mm : 0.0;
        double best = std::numeric_limits<double>::infinity();
        for (std::size_t t = 0; t < tracks.size(); ++t) {
          if (tracks[t].baseline_id || used[t]) continue;
          const double d = std::hypot(p[0] - tracks[t].baseline_frame_mm[0], p[1] - tracks[t].baseline_frame_mm[1]);
          const double tolerance = std::max(matching.min_tolerance_mm,
                                            matching.tolerance_of_diameter * std::max(diameter, tracks[t].diameter_mm));
          if (d <= tolerance && d < best) {
            best = d;
            track_id = tracks[t].id;
          }
        }
        if (track_id < 0) {
          track_id = next_id++;
          tracks.push_back({track_id, std::nullopt, p, diameter});
          used.push_back(false);
          ScarTrajectory trajectory;
          trajectory.id = track_id;
          trajectory.type = change.type;
          trajectory_of_track[track_id] = series.scars.size();
          series.scars.push_back(std::move(trajectory));
        }
      }
      if (track_id < 0) continue;
      for (std::size_t t = 0; t < tracks.size(); ++t)
        if (tracks[t].id == track_id) used[t] = true;
      ScarTrajectory& trajectory = series.scars[trajectory_of_track[track_id]];
      trajectory.points.push_back({visit, change.followup_id, change.volume_mm3[1], change.volume_change_pct,
                                   change.volume_mdc_mm3, change.depth_um[1], trajectory_status(change.status)});
    }
    // Every trajectory has a point at every visit it could have been seen at.
    for (ScarTrajectory& trajectory : series.scars) {
      if (!trajectory.points.empty() && trajectory.points.back().visit == visit) continue;
      const TrajectoryStatus status =
          comparison.registration.registered ? TrajectoryStatus::not_seen : TrajectoryStatus::not_registered;
      trajectory.points.push_back({visit, std::nullopt, kNaN, kNaN, kNaN, kNaN, status});
    }
    series.comparisons.push_back(std::move(comparison));
  }
  return series;
}

nlohmann::json series_to_json(const SeriesComparison& series, const std::vector<std::string>& files,
                              const std::vector<std::size_t>& counts) {
  if (files.size() != series.comparisons.size() + 1 || counts.size() != files.size()) {
    throw std::invalid_argument("series_to_json: one file name and one count per visit");
  }
  nlohmann::json visit_list = nlohmann::json::array();
  for (std::size_t k = 0; k < files.size(); ++k) {
    nlohmann::json v = {{"visit", k + 1}, {"file", files[k]}, {"count", counts[k]}};
    if (k > 0) {
      const VisitComparison& c = series.comparisons[k - 1];
      const nlohmann::json full = comparison_to_json(c);
      v["registration"] = full["registration"];
      v["global"] = full["global"];
    }
    visit_list.push_back(v);
  }
  nlohmann::json scars = nlohmann::json::array();
  for (const ScarTrajectory& t : series.scars) {
    nlohmann::json points = nlohmann::json::array();
    for (const TrajectoryPoint& p : t.points) {
      points.push_back({{"visit", p.visit},
                        {"scan_scar_id", p.scan_scar_id ? nlohmann::json(*p.scan_scar_id) : nlohmann::json(nullptr)},
                        {"volume_mm3", number_or_null(p.volume_mm3, 5)},
                        {"volume_change_pct", number_or_null(p.volume_change_pct, 2)},
                        {"volume_mdc_mm3", number_or_null(p.volume_mdc_mm3, 5)},
                        {"depth_um", number_or_null(p.depth_um, 2)},
                        {"status", trajectory_status_name(p.status)}});
    }
    scars.push_back({{"id", t.id},
                     {"baseline_id", t.baseline_id ? nlohmann::json(*t.baseline_id) : nlohmann::json(nullptr)},
                     {"type", t.type},
                     {"trajectory", points}});
  }
  nlohmann::json comparisons = nlohmann::json::array();
  for (const VisitComparison& c : series.comparisons) comparisons.push_back(comparison_to_json(c));
  return {{"visits", visit_list}, {"scars", scars}, {"comparisons", comparisons}};
}

}  // namespace scarscope

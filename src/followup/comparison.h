// The comparison of two visits: registration, one identity per scar, and how much each scar and the
// whole scan changed, with each scar's own minimal detectable change (MDC95) measured on the
// unchanged skin of this very pair; and the follow-up JSON of DESIGN.md.
#pragma once
#include <array>
#include <limits>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/progress.h"
#include "followup/matching.h"
#include "followup/registration.h"
#include "scars/inventory.h"
#include "surface/height_map.h"

namespace scarscope {

// What happened to a scar between two visits (JSON: change_status_name).
enum class ChangeStatus {
  improved,   // less than before, beyond its minimal detectable change
  stable,     // within it
  worse,      // more, beyond it
  new_scar,   // "new": not at baseline, beyond the noise at follow-up
  resolved,   // inside the overlap, what remains is within the noise
  not_found,  // outside the area both scans cover
};
// "improved", "stable", "worse", "new", "resolved", "not_found".
const char* change_status_name(ChangeStatus status);
// InputError for anything else.
ChangeStatus parse_change_status(const std::string& name);

struct ScarChange {
  std::optional<int> baseline_id, followup_id;
  std::optional<std::array<double, 2>> baseline_centroid_mm, followup_centroid_mm;
  bool followup_centroid_mapped = false;  // the follow-up analysis did not list it: mapped by the registration
  std::string type;  // of the baseline scar (of the follow-up scar for a new one)
  // Before and after, from the two analyses (after of a scar the follow-up analysis did not list
  // is measured from the difference map; NaN where not applicable).
  std::array<double, 2> volume_mm3{0.0, 0.0}, depth_um{0.0, 0.0}, area_mm2{0.0, 0.0};
  // Signed changes, follow-up − baseline; percentages of the baseline (NaN when undefined).
  double volume_change_mm3 = 0.0, volume_change_pct = 0.0;
  double depth_change_um = 0.0, depth_change_pct = 0.0;
  double area_change_mm2 = 0.0, area_change_pct = 0.0;
  // Volume change measured directly in the registered difference map over the scar's footprint.
  double measured_volume_change_mm3 = 0.0;
  double volume_mdc_mm3 = 0.0;  // 1.96 × √2 × SE over patches of unchanged skin shaped like the scar
  double depth_mdc_um = 0.0;
  int mdc_patches = 0;          // how many patches the MDC rests on
  double mdc_independent_patches = 0.0;  // of those, about how many do not overlap (Student's t quantile)
  double seen_fraction = 0.0;   // of the footprint, the points both scans see (the change is extrapolated over the rest)
  double resampling_error_mm3 = 0.0;  // SD of the volume change resampling alone gives this scar (in the MDC)
  double resampling_bias_mm3 = 0.0;   // signed: the change one interpolation alone puts into the measurement
                                      // (already taken out of measured_volume_change_mm3)
  // The baseline relief over the footprint the change was measured on (NaN if not used): the
  // relative change is measured_volume_change / relief.
  double relief_mm3 = std::numeric_limits<double>::quiet_NaN();
  ChangeStatus status = ChangeStatus::stable;
  std::string note;             // for people: what it means, in words
};

struct GlobalChange {
  double volume_before_mm3 = 0.0, volume_after_mm3 = 0.0;
  double volume_change_pct = 0.0;
  double volume_mdc_mm3 = 0.0;
  int count_baseline = 0, count_followup = 0;
  int improved = 0, stable = 0, worse = 0, new_scars = 0, resolved = 0, not_found = 0;
};

struct CompareOptions {
  RegistrationOptions registration;  // the scar outlines are filled in from the inventories
  MatchingOptions matching;
  int mdc_patches = 150;            // random scar-shaped patches of unchanged skin per scar
  double footprint_margin_mm = 0.06;  // grown around the outlines when integrating the difference
  // Add each scar's own resampling error (estimated by a round trip of the baseline) to its MDC.
  bool resampling_in_mdc = true;
  // Measure each MDC patch on the points its scar was measured on (the scar's unseen points, such as
  // steep walls and hidden floors, left out of the patch too, and extrapolated over the same way).
  bool mdc_patches_as_scar_seen = true;
  // Take the resampling bias the round trip shows (half of it: one interpolation of two) out of each
  // scar's measured change (its spread stays in the MDC).
  bool correct_resampling_bias = true;
  // The 95 % limit from Student's t on the number of independent patches (else 1.96).
  bool student_t_mdc = true;
  // The relative change as a share of the baseline relief over the same footprint (else of the analysis volume).
  bool change_as_share_of_relief = true;
  // A second scan of the baseline visit: the MDC then comes from this test–retest difference.
  const HeightMap* baseline_retest = nullptr;
};

struct VisitComparison {
  Registration registration;
  std::vector<ScarChange> scars;
  GlobalChange global;
  std::string mdc_source;  // "unchanged skin of this pair" or "test-retest scans of the baseline"
  std::vector<std::string> notes;
};

// Compares a follow-up with its baseline. The inventories are the analyses of the two scans (their
// outlines are kept out of the registration; outlines far off their scan are held near it). When
// the scans do not show the same skin, the result has registration.registered == false and no
// scar changes. Throws InputError for scans that cannot be registered (too few points, heights no
// skin has: surface/height_range.h). With `progress`: the registration's stages, then one report
// per scar (fractions rising to 1), and CancelledError at the next report once cancelled.
// Reentrant: comparisons may run concurrently on other threads.
VisitComparison compare_visits(const HeightMap& baseline, const ScarInventory& baseline_scars,
                               const HeightMap& followup, const ScarInventory& followup_scars,
                               const CompareOptions& options = {}, const Progress* progress = nullptr);

// The follow-up JSON of DESIGN.md (registration, scars, global), extended with what else was measured.
nlohmann::json comparison_to_json(const VisitComparison& comparison);

// "40 % less volume, beyond measurement noise" and the like.
std::string describe_change(const ScarChange& change);

}  // namespace scarscope

// Registration of a follow-up scan onto its baseline: the in-plane pose (rotation and shift) found
// on the skin around the scars, then the height pose (offset, tilt, change of curvature) as a
// quadratic fitted to the height difference on unchanged skin. Robust to the scars having changed:
// scar outlines are excluded, and so is every region whose heights changed coherently.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/progress.h"
#include "followup/grid_tools.h"
#include "surface/height_map.h"
#include "surface/masked_low_pass.h"

namespace scarscope {

// The DESIGN.md convention: a baseline point (mm) maps to the follow-up by rotating it by
// rotation_deg about center_mm, then shifting it by shift_mm.
struct RigidTransform {
  std::array<double, 2> shift_mm{0.0, 0.0};
  double rotation_deg = 0.0;
  std::array<double, 2> center_mm{0.0, 0.0};

  std::array<double, 2> to_followup(const std::array<double, 2>& baseline_mm) const;
  std::array<double, 2> to_baseline(const std::array<double, 2>& followup_mm) const;
};

struct RegistrationOptions {
  // Scar outlines to keep out of the registration, each in its own scan's coordinates (mm).
  std::vector<OutlineMm> baseline_scars;
  std::vector<OutlineMm> followup_scars;
  double scar_margin_mm = 0.4;     // grown around each outline
  // Scale (Gaussian sigma) of the local reference: slow height differences the quadratic pose leaves
  // (a curved cheek seen from another angle) are removed at this scale, interpolated under the scars.
  double local_reference_mm = 1.5;
  double max_rotation_deg = 20.0;  // searched exhaustively at the coarsest level
  // Below these the scans are declared not to show the same skin.
  double min_correlation = 0.5;          // ECC, smoothed form-free skin
  double min_texture_correlation = 0.5;  // fine texture (below 0.3 mm) on unchanged skin
  double max_residual_to_roughness = 0.6;  // residual / (√2 × roughness of the baseline skin)
  double min_unchanged_fraction = 0.3;     // of the overlap
};

struct Registration {
  RigidTransform transform;
  // Follow-up height minus baseline height on unchanged skin after the in-plane alignment,
  // in baseline coordinates: height offset, tilt and change of curvature (µm, mm).
  Quadratic height_pose;
  double residual_um = 0.0;       // RMS of the corrected difference on unchanged skin
  double overlap_fraction = 0.0;  // of the baseline's valid points, those the follow-up also covers
  double correlation = 0.0;       // ECC correlation of the smoothed, form-free skin at the finest level
  double texture_correlation = 0.0;  // of the fine skin texture once aligned (1 = identical)
  double roughness_um = 0.0;      // Sq of the baseline skin (degree-2 form removed, scars excluded)
  double unchanged_fraction = 0.0;  // of the overlap, the part used as unchanged skin
  bool registered = false;        // false: the scans do not show the same skin (see problem)
  std::string problem;            // why registration failed, in words

  // On the baseline's grid: the follow-up after the in-plane and height pose (and the slow residual of
  // the pose) were undone (NaN outside the overlap), and the difference follow-up − baseline (µm).
  HeightMap followup_on_baseline;
  HeightMap difference;
  // Baseline grid, 1 where the difference is unchanged skin (used for the residual and the MDC).
  std::vector<std::uint8_t> unchanged_skin;
  // The difference before its slow residual (a low-pass of the unchanged skin at local_reference_mm,
  // interpolated under the scars) was taken out: what difference_holding_out starts from.
  HeightMap pose_residual;
  double local_reference_mm = 0.0;
};

// The registration's difference with its slow residual (the low-pass of the unchanged skin) estimated
// without a set of held-out points, interpolated there from the skin around them as it is under a
// scar: patches of skin held out this way measure like a scar would. Cheap to redo for many sets:
// the low-pass works on coarse sums (MaskedLowPassSums), and only the held-out points change them.
class HoldOutDifference {
 public:
  explicit HoldOutDifference(const Registration& registration);
  // Holds out these points (indices into the baseline grid), replacing the previous set.
  void hold_out(const std::vector<std::size_t>& points);
  // The difference at (row, col) for the current set; NaN outside the overlap.
  float at(int row, int col) const;
  int nx() const { return nx_; }
  int ny() const { return ny_; }

 private:
  const Registration* registration_;
  int nx_ = 0, ny_ = 0;
  MaskedLowPassSums sums_;  // Σ keep·residual and Σ keep on the low-pass's coarse grid
  std::vector<float> low_;  // the coarse low-pass for the current set
};

// Throws InputError when either map is empty, has too few valid points to register, or heights no
// skin has (surface/height_range.h). With `progress`: its stages as fractions 0..1, and
// CancelledError at the next of them once cancelled.
Registration register_followup(const HeightMap& baseline, const HeightMap& followup,
                               const RegistrationOptions& options = {}, const Progress* progress = nullptr);

}  // namespace scarscope

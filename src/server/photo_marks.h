// Manual mode's pieces that are not HTTP: what a photograph is (JPEG or PNG, its size in pixels,
// read from its header without decoding the picture), and a clinician's marks on it turned into
// what the library grades and plans with: a hand-made scar inventory (hand_count: grades are
// clinician_only) and the clinician inputs (each scar's stretch test).
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grading/clinician_inputs.h"
#include "scars/inventory.h"

namespace scarscope::server {

inline constexpr std::string_view photo_estimate_label = "clinician estimate from photograph, not a measurement";
inline constexpr int max_photo_marks = 2000;
// Enough of the start of a file to find a PNG's or a JPEG's size (JPEG: the frame header can come
// after large metadata segments such as an embedded thumbnail).
inline constexpr std::size_t photo_header_bytes = std::size_t{1} << 20;

struct PhotoHeader {
  std::string media_type;  // image/jpeg or image/png
  int width = 0;
  int height = 0;
};

// The type and size of a photograph from its first bytes; InputError bad_format naming `name`
// for anything that is not a JPEG or PNG picture with a sane size.
PhotoHeader read_photo_header(std::string_view head, const std::string& name);

struct PhotoMark {
  double x = 0.0;  // pixels of the photograph
  double y = 0.0;
  ScarType type = ScarType::boxcar;
  std::optional<double> diameter_mm;    // the clinician's estimate
  std::optional<std::string> depth_class;  // "shallow" or "deep"
  std::optional<bool> stretch_flattens;
};

struct PhotoRuler {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  double mm = 0;
  double mm_per_pixel() const;
};

struct PhotoMarks {
  std::vector<PhotoMark> marks;
  std::optional<PhotoRuler> ruler;
};

// {"marks": [{"x", "y", "type", "diameter_mm"?, "depth_class"?, "stretch_flattens"?}], "ruler"?:
// {"x1", "y1", "x2", "y2", "mm"}}: InputError naming the field for a point off the photograph, a
// ruler of zero length, an unknown type.
PhotoMarks photo_marks_from_json(const nlohmann::json& body, int width, int height);

// The marks as a clinician's hand-made inventory: scar i + 1 for mark i, its type and estimated
// diameter; its position in mm when a ruler gives the scale (else unlisted by position).
ScarInventory marks_inventory(const PhotoMarks& marks, const std::string& photo_name);
// Each mark's stretch test as the clinician inputs of its scar (none when no test was done).
std::optional<ClinicianInputs> marks_clinician_inputs(const PhotoMarks& marks);

}  // namespace scarscope::server

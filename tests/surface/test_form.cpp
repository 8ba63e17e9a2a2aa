// Form removal: a user levels a scan (plane) or takes off the curvature of a cheek (degree 2-4)
// before measuring; the fit must use only valid points and give back the form it removed.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/random.h"
#include "core/error.h"
#include "surface/form.h"
#include "surface/height_map.h"

using scarscope::Random;
using scarscope::FormFit;
using scarscope::HeightMap;
using scarscope::InputError;
using scarscope::remove_form;
using scarscope::remove_plane;

namespace {

// x, y in mm, centred on the grid, as FormFit defines them.
double x_mm(const HeightMap& map, int col) { return (col - 0.5 * (map.nx() - 1)) * map.dx_um() / 1000.0; }
double y_mm(const HeightMap& map, int row) { return (row - 0.5 * (map.ny() - 1)) * map.dy_um() / 1000.0; }

// Evaluates sum c_t x^i y^j in FormFit's term order (total degree, then x power descending).
double polynomial(const std::vector<double>& coefficients, double x, double y) {
  double value = 0.0;
  std::size_t t = 0;
  for (int total = 0; t < coefficients.size(); ++total) {
    for (int i = total; i >= 0 && t < coefficients.size(); --i, ++t) {
      value += coefficients[t] * std::pow(x, i) * std::pow(y, total - i);
    }
  }
  return value;
}

HeightMap map_of(const std::vector<double>& coefficients, int nx, int ny, double dx, double dy) {
  HeightMap map(nx, ny, dx, dy);
  for (int r = 0; r < ny; ++r) {
    for (int c = 0; c < nx; ++c) map.set(r, c, static_cast<float>(polynomial(coefficients, x_mm(map, c), y_mm(map, r))));
  }
  return map;
}

double largest_valid_height(const HeightMap& map) {
  double largest = 0.0;
  for (int r = 0; r < map.ny(); ++r) {
    for (int c = 0; c < map.nx(); ++c) {
      if (map.valid(r, c)) largest = std::max(largest, std::fabs(static_cast<double>(map.height(r, c))));
    }
  }
  return largest;
}

}  // namespace

TEST(FormRemoval, TiltedPlaneIsRemovedAndItsSlopesRecovered) {
  // 12 um offset, 35 um/mm rise along x and -20 um/mm along y, on a 4 mm x 3 mm patch.
  const std::vector<double> plane = {12.0, 35.0, -20.0};
  const HeightMap map = map_of(plane, 200, 150, 20.0, 20.0);
  FormFit fit;
  const HeightMap levelled = remove_form(map, 1, &fit);

  // Heights up to ~100 um are stored as float (7 digits): 1e-4 um is a few float steps.
  EXPECT_LT(largest_valid_height(levelled), 1e-4);
  ASSERT_EQ(fit.coefficients.size(), 3u);
  EXPECT_EQ(fit.degree, 1);
  EXPECT_NEAR(fit.coefficients[0], 12.0, 1e-5);
  EXPECT_NEAR(fit.coefficients[1], 35.0, 1e-5);
  EXPECT_NEAR(fit.coefficients[2], -20.0, 1e-5);
  EXPECT_LT(fit.residual_rms_um, 1e-4);
  EXPECT_EQ(levelled.nx(), 200);
  EXPECT_DOUBLE_EQ(levelled.dx_um(), 20.0);
}

TEST(FormRemoval, PlaneFarFromZeroKeepsItsPrecision) {
  // A scanner that reports heights around 5 mm: the fit is about the mean, so no digits are lost.
  const std::vector<double> plane = {5000.0, 2.0, 1.0};
  const HeightMap map = map_of(plane, 300, 300, 10.0, 10.0);
  FormFit fit;
  const HeightMap levelled = remove_plane(map);
  remove_form(map, 1, &fit);
  // float spacing at 5000 um is 0.0005 um; the residual is the rounding of the input only.
  EXPECT_LT(largest_valid_height(levelled), 1e-3);
  EXPECT_NEAR(fit.coefficients[1], 2.0, 1e-4);
}

TEST(FormRemoval, PolynomialFormsOfDegreeTwoToFourAreRemovedExactly) {
  Random random(7);
  const auto coefficient = [&] { return random.uniform(-10.0, 10.0); };
  for (int degree = 2; degree <= 4; ++degree) {
    SCOPED_TRACE("degree " + std::to_string(degree));
    std::vector<double> form((degree + 1) * (degree + 2) / 2);
    for (double& value : form) value = coefficient();
    // Unequal spacing and an odd size, so the x and y scaling both matter.
    const HeightMap map = map_of(form, 161, 120, 25.0, 30.0);  // 4 mm x 3.6 mm
    const double form_range = largest_valid_height(map);
    FormFit fit;
    const HeightMap residual = remove_form(map, degree, &fit);
    EXPECT_LT(largest_valid_height(residual), 1e-5 * form_range) << "form range " << form_range << " um";
    ASSERT_EQ(fit.coefficients.size(), form.size());
    for (std::size_t t = 0; t < form.size(); ++t) EXPECT_NEAR(fit.coefficients[t], form[t], 1e-4) << "term " << t;

    // One degree lower cannot take the highest terms off: what is left is clearly not zero.
    const HeightMap underfit = remove_form(map, degree - 1);
    EXPECT_GT(largest_valid_height(underfit), 1e-2 * form_range);
  }
}

TEST(FormRemoval, HonoursTheMaskAndKeepsMissingPointsMissing) {
  const std::vector<double> plane = {1.0, -4.0, 6.0};
  HeightMap map = map_of(plane, 120, 100, 20.0, 20.0);
  Random random(3);
  const auto drop = [&] { return random.chance(0.3); };
  for (int r = 0; r < map.ny(); ++r) {
    for (int c = 0; c < map.nx(); ++c) {
      if (drop()) {
        // A spike the instrument flagged as invalid: its height is still in memory but masked.
        map.heights()[map.index(r, c)] = 1e6f;
        map.mask()[map.index(r, c)] = 0;
      }
    }
  }
  FormFit fit;
  const HeightMap levelled = remove_form(map, 1, &fit);
  EXPECT_LT(largest_valid_height(levelled), 1e-4);
  EXPECT_NEAR(fit.coefficients[1], -4.0, 1e-5);
  EXPECT_EQ(levelled.valid_count(), map.valid_count());
  for (std::size_t i = 0; i < map.size(); ++i) {
    if (!map.mask()[i]) {
      ASSERT_EQ(levelled.mask()[i], 0);
    }
  }
}

TEST(FormRemoval, SingleRowOfPointsIsLevelledAlongIt) {
  // A strip one point high does not determine the y slope; the fit still levels it along x.
  const std::vector<double> line = {3.0, 10.0, 0.0};
  const HeightMap map = map_of(line, 50, 1, 20.0, 20.0);
  const HeightMap levelled = remove_plane(map);
  EXPECT_LT(largest_valid_height(levelled), 1e-5);
}

TEST(FormRemoval, RejectsBadDegreeAndTooFewPoints) {
  HeightMap map(10, 10, 1.0, 1.0);
  EXPECT_THROW(remove_form(map, 0), InputError);
  EXPECT_THROW(remove_form(map, 5), InputError);
  for (int r = 0; r < 10; ++r) {
    for (int c = 0; c < 10; ++c) map.set_missing(r, c);
  }
  map.set(2, 2, 1.0f);
  map.set(5, 7, 2.0f);
  EXPECT_THROW(remove_form(map, 1), InputError) << "3 terms from 2 points";
  try {
    remove_form(map, 1);
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("needs at least 3 valid points"), std::string::npos) << error.what();
  }
}

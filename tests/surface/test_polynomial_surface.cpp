// The one weighted least-squares polynomial surface every fit in ScarScope uses (form removal, the
// reference skin, the follow-up's height pose): it gives back a polynomial it was fed, ignores
// what has no weight, and stays defined when the points do not determine every term.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "surface/polynomial_surface.h"

namespace scarscope {
namespace {

// sum c_t x^i y^j in term order, written out independently of the code under test.
double reference_value(const std::vector<double>& c, double x, double y) {
  double value = 0.0;
  std::size_t t = 0;
  for (int total = 0; t < c.size(); ++total)
    for (int i = total; i >= 0 && t < c.size(); --i, ++t) value += c[t] * std::pow(x, i) * std::pow(y, total - i);
  return value;
}

std::vector<double> axis(int n, double from, double step) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(from + i * step);
  return v;
}

TEST(PolynomialSurface, TermsComeInTheDocumentedOrder) {
  const std::vector<PolynomialTerm> terms = polynomial_terms(2);
  ASSERT_EQ(terms.size(), 6u);
  const int expected[6][2] = {{0, 0}, {1, 0}, {0, 1}, {2, 0}, {1, 1}, {0, 2}};
  for (std::size_t t = 0; t < 6; ++t) {
    EXPECT_EQ(terms[t].x_power, expected[t][0]);
    EXPECT_EQ(terms[t].y_power, expected[t][1]);
  }
  EXPECT_EQ(polynomial_term_count(4), 15);
}

TEST(PolynomialSurface, RecoversACubicFromWeightedPoints) {
  const std::vector<double> truth = {5.0, -2.0, 1.5, 0.3, -0.7, 0.2, 0.05, -0.04, 0.03, 0.01};
  const std::vector<double> x = axis(21, -2.0, 0.2), y = axis(17, -1.6, 0.2);
  PolynomialFit fit(3, x);
  std::vector<double> z(x.size()), w(x.size());
  for (const double yy : y) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      z[i] = reference_value(truth, x[i], yy);
      w[i] = 0.5 + 0.5 * std::cos(3.0 * x[i] + yy) * std::cos(3.0 * x[i] + yy);  // any positive weights
    }
    fit.add_row(yy, z.data(), w.data());
  }
  EXPECT_EQ(fit.points(), x.size() * y.size());
  const PolynomialSurface surface = fit.solve();
  ASSERT_EQ(surface.coefficients.size(), truth.size());
  for (std::size_t t = 0; t < truth.size(); ++t) EXPECT_NEAR(surface.coefficients[t], truth[t], 1e-9) << t;
  EXPECT_NEAR(surface.at(0.7, -0.3), reference_value(truth, 0.7, -0.3), 1e-9);
}

TEST(PolynomialSurface, PointsWithoutWeightDoNotCount) {
  // A plane with a "scar" 1000 um deep that carries no weight (or is not kept).
  const std::vector<double> x = axis(30, 0.0, 0.1);
  PolynomialFit weighted(1, x);
  PolynomialFit kept(1, x);
  std::vector<double> z(x.size()), w(x.size());
  std::vector<float> zf(x.size());
  std::vector<std::uint8_t> keep(x.size());
  for (int row = 0; row < 25; ++row) {
    const double yy = 0.1 * row;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const bool scar = i > 10 && i < 20 && row > 8 && row < 16;
      z[i] = 3.0 + 2.0 * x[i] - 1.0 * yy - (scar ? 1000.0 : 0.0);
      w[i] = scar ? 0.0 : 1.0;
      zf[i] = static_cast<float>(z[i]);
      keep[i] = scar ? 0 : 1;
    }
    weighted.add_row(yy, z.data(), w.data());
    kept.add_row(yy, zf.data(), keep.data());
  }
  EXPECT_EQ(weighted.points(), kept.points());
  for (const PolynomialSurface& s : {weighted.solve(), kept.solve()}) {
    EXPECT_NEAR(s.coefficients[0], 3.0, 1e-4);
    EXPECT_NEAR(s.coefficients[1], 2.0, 1e-4);
    EXPECT_NEAR(s.coefficients[2], -1.0, 1e-4);
  }
}

TEST(PolynomialSurface, StrideAndOffsetSelectColumnsAndCentreHeights) {
  // Every other column of a row, about an offset of 1000 um: the fit sees z - offset.
  const std::vector<double> x = axis(10, -1.0, 0.2);  // the columns 0, 2, 4, ... of a 20-point row
  PolynomialFit fit(1, x);
  std::vector<float> row(20);
  std::vector<std::uint8_t> keep(20, 1);
  for (int r = 0; r < 10; ++r) {
    const double yy = -1.0 + 0.2 * r;
    for (int c = 0; c < 20; ++c) row[static_cast<std::size_t>(c)] = static_cast<float>(1000.0 + (c % 2 == 0 ? 4.0 * x[static_cast<std::size_t>(c / 2)] : 777.0));
    fit.add_row(yy, row.data(), keep.data(), 2, 1000.0);
  }
  const PolynomialSurface s = fit.solve();
  EXPECT_NEAR(s.coefficients[0], 0.0, 1e-3);
  EXPECT_NEAR(s.coefficients[1], 4.0, 1e-3);
  EXPECT_NEAR(s.coefficients[2], 0.0, 1e-3);
}

TEST(PolynomialSurface, OneRowGivesTheMinimumNormFitThroughIt) {
  // A single row cannot tell y's terms apart: the fit still passes through the row's points.
  const std::vector<double> x = axis(12, 0.0, 1.0);
  PolynomialFit fit(2, x);
  std::vector<double> z(x.size()), w(x.size(), 1.0);
  for (std::size_t i = 0; i < x.size(); ++i) z[i] = 1.0 + 0.5 * x[i] - 0.1 * x[i] * x[i];
  fit.add_row(3.0, z.data(), w.data());
  const PolynomialSurface s = fit.solve();
  std::vector<double> values(x.size());
  s.evaluate_row(3.0, x, values.data());
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_TRUE(std::isfinite(s.coefficients[i % s.coefficients.size()]));
    EXPECT_NEAR(values[i], z[i], 1e-8) << i;
  }
}

TEST(PolynomialSurface, EvaluatingARowMatchesPointByPoint) {
  PolynomialSurface s;
  s.degree = 4;
  s.coefficients = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0.1, 0.2, 0.3, 0.4, 0.5};
  const std::vector<double> x = axis(7, -1.5, 0.5);
  std::vector<double> row(x.size());
  s.evaluate_row(0.25, x, row.data());
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_DOUBLE_EQ(row[i], s.at(x[i], 0.25));
    EXPECT_NEAR(row[i], reference_value(s.coefficients, x[i], 0.25), 1e-12);
  }
}

TEST(PolynomialSurface, ADegreeBeyondFourIsACallersBug) {
  const std::vector<double> x = axis(4, 0.0, 1.0);
  EXPECT_THROW(PolynomialFit(5, x), std::invalid_argument);
  EXPECT_THROW(PolynomialFit(-1, x), std::invalid_argument);
}

TEST(PolynomialSurface, FloatRowsFitAsUnitWeightsWithAndWithoutMissingPoints) {
  // add_row(float, keep) takes complete rows (weight sums once, data sums by a kernel) and rows
  // with points left out (a kernel up to degree 2) by other code than the general sums; its fit
  // must be bit for bit that of the same points given as doubles z - offset with weights 0 / 1.
  const int columns = 41;
  const std::vector<double> x = axis(columns, -1.0, 2.0 / (columns - 1));
  const double offset = 1234.5;
  for (int degree = 0; degree <= kMaxPolynomialDegree; ++degree) {
    SCOPED_TRACE(degree);
    PolynomialFit from_floats(degree, x), from_doubles(degree, x);
    for (int row = 0; row < 30; ++row) {
      std::vector<float> z(columns);
      std::vector<std::uint8_t> keep(columns);
      std::vector<double> zd(columns), w(columns);
      for (int c = 0; c < columns; ++c) {
        z[c] = static_cast<float>(offset + 40.0 * std::sin(0.3 * c + 0.7 * row) + 0.01 * c * row);
        keep[c] = row % 3 == 0 || (c * 7 + row) % 11 != 0 ? 1 : 0;  // rows 0, 3, 6 ... complete
        zd[c] = z[c] - offset;
        w[c] = keep[c] ? 1.0 : 0.0;
      }
      const double y = -1.0 + row / 15.0;
      from_floats.add_row(y, z.data(), keep.data(), 1, offset);
      from_doubles.add_row(y, zd.data(), w.data());
    }
    EXPECT_EQ(from_floats.points(), from_doubles.points());
    const PolynomialSurface a = from_floats.solve(), b = from_doubles.solve();
    ASSERT_EQ(a.coefficients.size(), b.coefficients.size());
    for (std::size_t t = 0; t < a.coefficients.size(); ++t) EXPECT_EQ(a.coefficients[t], b.coefficients[t]) << t;
  }
}

}  // namespace
}  // namespace scarscope

#include "report/figures.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "core/format.h"
#include "scars/overlay.h"
#include "surface/shaded_relief.h"

namespace scarscope::report {

namespace {

using SurfacePointer = std::shared_ptr<cairo_surface_t>;

SurfacePointer own(cairo_surface_t* surface) {
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    const std::string problem = cairo_status_to_string(cairo_surface_status(surface));
    cairo_surface_destroy(surface);
    throw std::runtime_error("cairo image: " + problem);
  }
  return SurfacePointer(surface, cairo_surface_destroy);
}

// At most this many pixels along the longer side: enough for print at the size a report shows a
// map, and a PDF of a few hundred kilobytes however large the scan.
constexpr int kMaxPicturePixels = 1400;

// The surface shrunk (with cairo's good filter, which averages) to fit `max_side` pixels.
SurfacePointer shrink(SurfacePointer surface, int max_side) {
  const int width = cairo_image_surface_get_width(surface.get());
  const int height = cairo_image_surface_get_height(surface.get());
  const int longest = std::max(width, height);
  if (longest <= max_side) return surface;
  const double scale = static_cast<double>(max_side) / longest;
  const int new_width = std::max(1, static_cast<int>(std::lround(width * scale)));
  const int new_height = std::max(1, static_cast<int>(std::lround(height * scale)));
  SurfacePointer smaller = own(cairo_image_surface_create(CAIRO_FORMAT_RGB24, new_width, new_height));
  cairo_t* cairo = cairo_create(smaller.get());
  cairo_scale(cairo, static_cast<double>(new_width) / width, static_cast<double>(new_height) / height);
  cairo_set_source_surface(cairo, surface.get(), 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cairo), CAIRO_FILTER_GOOD);
  cairo_paint(cairo);
  cairo_destroy(cairo);
  return smaller;
}

SurfacePointer surface_of(const RgbImage& image) {
  SurfacePointer surface = own(cairo_image_surface_create(CAIRO_FORMAT_RGB24, image.width, image.height));
  cairo_surface_flush(surface.get());
  unsigned char* data = cairo_image_surface_get_data(surface.get());
  const int stride = cairo_image_surface_get_stride(surface.get());
  for (int row = 0; row < image.height; ++row) {
    auto* line = reinterpret_cast<std::uint32_t*>(data + static_cast<std::ptrdiff_t>(row) * stride);
    for (int column = 0; column < image.width; ++column) {
      const std::size_t i = image.offset(column, row);
      line[column] = 0xFF000000u | (std::uint32_t{image.rgb[i]} << 16) | (std::uint32_t{image.rgb[i + 1]} << 8) |
                     std::uint32_t{image.rgb[i + 2]};
    }
  }
  cairo_surface_mark_dirty(surface.get());
  return surface;
}

struct PngReader {
  const Bytes* bytes;
  std::size_t at = 0;
};

cairo_status_t read_png_bytes(void* closure, unsigned char* data, unsigned int length) {
  auto* reader = static_cast<PngReader*>(closure);
  if (reader->at + length > reader->bytes->size()) return CAIRO_STATUS_READ_ERROR;
  std::memcpy(data, reader->bytes->data() + reader->at, length);
  reader->at += length;
  return CAIRO_STATUS_SUCCESS;
}

void set_colour(cairo_t* cairo, std::array<std::uint8_t, 3> rgb) {
  cairo_set_source_rgb(cairo, rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0);
}

// A label legible on any relief: white halo, then the text in its colour.
void draw_halo_text(cairo_t* cairo, const std::string& text, double x, double y, std::array<std::uint8_t, 3> rgb) {
  cairo_save(cairo);
  cairo_move_to(cairo, x, y);
  cairo_text_path(cairo, text.c_str());
  cairo_set_source_rgb(cairo, 1, 1, 1);
  cairo_set_line_width(cairo, 2.2);
  cairo_set_line_join(cairo, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke(cairo);
  set_colour(cairo, rgb);
  draw_text(cairo, text, x, y);
  cairo_restore(cairo);
}

void draw_legend(cairo_t* cairo, const std::vector<LegendEntry>& legend, double x, double y) {
  set_font(cairo, 8.0);
  for (const LegendEntry& entry : legend) {
    set_colour(cairo, scar_type_colour(entry.type));
    cairo_set_line_width(cairo, 2.0);
    cairo_rectangle(cairo, x, y - 7.0, 14.0, 8.0);
    cairo_stroke(cairo);
    cairo_set_source_rgb(cairo, 0, 0, 0);
    draw_text(cairo, entry.label, x + 18.0, y);
    x += 18.0 + text_width(cairo, entry.label) + 16.0;
  }
}

// A step of 1, 2 or 5 times a power of ten giving about `ticks` intervals over `span`.
double nice_step(double span, int ticks) {
  if (!(span > 0.0)) return 1.0;
  const double raw = span / ticks;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= factor * power) return factor * power;
  }
  return 10.0 * power;
}

int decimals_for(double step) { return step >= 1.0 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9)); }

// Axes, grid and the series inside the box (x0, y0, width, height), in points.
void draw_chart(cairo_t* cairo, const std::vector<ChartPoint>& points, double x0, double y0, double width, double height,
                double font_size, bool x_labels) {
  double top = 0.0;
  for (const ChartPoint& point : points) {
    if (std::isfinite(point.value)) top = std::max(top, point.value + std::max(0.0, point.bar));
  }
  if (!(top > 0.0)) top = 1.0;
  const double step = nice_step(top, 4);
  top = std::ceil(top / step) * step;
  const int decimals = decimals_for(step);
  set_font(cairo, font_size);
  const double label_width = text_width(cairo, fixed_decimal(top, decimals)) + 4.0;
  const double left = x0 + label_width;
  const double right = x0 + width - 4.0;
  const double bottom = y0 + height - (x_labels ? font_size * 1.6 : 2.0);
  const double plot_top = y0 + 2.0;
  auto y_of = [&](double value) { return bottom - (value / top) * (bottom - plot_top); };
  const std::size_t n = points.size();
  auto x_of = [&](std::size_t i) {
    return n <= 1 ? (left + right) / 2.0 : left + 12.0 + (right - left - 24.0) * static_cast<double>(i) / static_cast<double>(n - 1);
  };

  cairo_set_line_width(cairo, 0.3);
  for (double value = 0.0; value <= top + step / 2; value += step) {
    cairo_set_source_rgb(cairo, 0.85, 0.85, 0.85);
    cairo_move_to(cairo, left, y_of(value));
    cairo_line_to(cairo, right, y_of(value));
    cairo_stroke(cairo);
    cairo_set_source_rgb(cairo, 0.3, 0.3, 0.3);
    draw_text(cairo, fixed_decimal(value, decimals), left - 3.0, y_of(value) + font_size / 3.0, 1.0);
  }
  cairo_set_source_rgb(cairo, 0, 0, 0);
  cairo_set_line_width(cairo, 0.6);
  cairo_move_to(cairo, left, plot_top);
  cairo_line_to(cairo, left, bottom);
  cairo_line_to(cairo, right, bottom);
  cairo_stroke(cairo);

  // The line through the values, then each value's ± bar and its dot.
  cairo_set_source_rgb(cairo, 0.1, 0.3, 0.7);
  cairo_set_line_width(cairo, 1.2);
  bool started = false;
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(points[i].value)) {
      started = false;
      continue;
    }
    if (started) cairo_line_to(cairo, x_of(i), y_of(points[i].value));
    else cairo_move_to(cairo, x_of(i), y_of(points[i].value));
    started = true;
  }
  cairo_stroke(cairo);
  for (std::size_t i = 0; i < n; ++i) {
    const ChartPoint& point = points[i];
    if (!std::isfinite(point.value)) continue;
    const double x = x_of(i);
    if (point.bar > 0.0) {
      cairo_set_source_rgb(cairo, 0.4, 0.4, 0.4);
      cairo_set_line_width(cairo, 0.7);
      const double low = y_of(std::max(0.0, point.value - point.bar));
      const double high = y_of(point.value + point.bar);
      cairo_move_to(cairo, x, low);
      cairo_line_to(cairo, x, high);
      cairo_move_to(cairo, x - 2.5, low);
      cairo_line_to(cairo, x + 2.5, low);
      cairo_move_to(cairo, x - 2.5, high);
      cairo_line_to(cairo, x + 2.5, high);
      cairo_stroke(cairo);
    }
    cairo_set_source_rgb(cairo, 0.1, 0.3, 0.7);
    cairo_arc(cairo, x, y_of(point.value), 2.2, 0, 2 * M_PI);
    cairo_fill(cairo);
  }
  if (x_labels) {
    cairo_set_source_rgb(cairo, 0.2, 0.2, 0.2);
    set_font(cairo, font_size);
    for (std::size_t i = 0; i < n; ++i) draw_text(cairo, points[i].label, x_of(i), y0 + height - 2.0, 0.5);
  }
}

}  // namespace

Figure scar_map_figure(const HeightMap& map, const ScarInventory& scars, std::vector<LegendEntry> legend, double height,
                       std::string caption) {
  const SurfacePointer relief = shrink(surface_of(render_shaded_relief(map)), kMaxPicturePixels);
  const double width_mm = map.nx() * map.dx_um() / 1000.0;
  const double height_mm = map.ny() * map.dy_um() / 1000.0;
  Figure figure;
  figure.height = height;
  figure.caption = std::move(caption);
  figure.draw = [relief, scars, legend = std::move(legend), width_mm, height_mm](cairo_t* cairo, double width, double box_height) {
    const double legend_height = legend.empty() ? 0.0 : 16.0;
    const double scale = std::min(width / width_mm, (box_height - legend_height) / height_mm);  // points per mm
    const double map_width = width_mm * scale;
    const double map_height = height_mm * scale;
    const double x0 = (width - map_width) / 2.0;
    cairo_save(cairo);
    cairo_translate(cairo, x0, 0);
    cairo_save(cairo);
    cairo_scale(cairo, map_width / cairo_image_surface_get_width(relief.get()),
                map_height / cairo_image_surface_get_height(relief.get()));
    cairo_set_source_surface(cairo, relief.get(), 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cairo), CAIRO_FILTER_GOOD);
    cairo_paint(cairo);
    cairo_restore(cairo);
    cairo_rectangle(cairo, 0, 0, map_width, map_height);
    cairo_clip(cairo);
    set_font(cairo, std::clamp(scale * 0.9, 6.0, 9.0), true);
    for (const Scar& scar : scars.scars) {
      const auto rgb = scar_type_colour(scar.type);
      set_colour(cairo, rgb);
      cairo_set_line_width(cairo, 1.1);
      double label_x = scar.centroid_mm[0] * scale;
      double label_y = scar.centroid_mm[1] * scale;
      if (scar.outline_mm.size() >= 3) {
        double max_x = -1e300, min_y = 1e300;
        for (std::size_t i = 0; i < scar.outline_mm.size(); ++i) {
          const double x = scar.outline_mm[i][0] * scale;
          const double y = scar.outline_mm[i][1] * scale;
          if (i == 0) cairo_move_to(cairo, x, y);
          else cairo_line_to(cairo, x, y);
          max_x = std::max(max_x, x);
          min_y = std::min(min_y, y);
        }
        cairo_close_path(cairo);
        cairo_stroke(cairo);
        label_x = max_x + 1.0;
        label_y = min_y + 2.0;
      } else if (scar.measured(ScarMeasure::centroid_mm)) {
        const double radius = std::max(2.0, (scar.measured(ScarMeasure::diameter_mm) ? scar.diameter_mm : 1.0) * scale / 2.0);
        cairo_arc(cairo, label_x, label_y, radius, 0, 2 * M_PI);
        cairo_stroke(cairo);
        label_x += radius + 1.0;
      } else {
        continue;
      }
      draw_halo_text(cairo, std::to_string(scar.id), label_x, label_y, rgb);
    }
    cairo_restore(cairo);
    if (!legend.empty()) draw_legend(cairo, legend, x0, box_height - 4.0);
  };
  return figure;
}

Figure png_figure(const Bytes& png, double height, std::string caption) {
  PngReader reader{&png};
  SurfacePointer picture = shrink(own(cairo_image_surface_create_from_png_stream(read_png_bytes, &reader)), 2 * kMaxPicturePixels);
  const double pixels_wide = cairo_image_surface_get_width(picture.get());
  const double pixels_high = cairo_image_surface_get_height(picture.get());
  Figure figure;
  figure.caption = std::move(caption);
  // As high as asked, unless the text width makes it lower.
  figure.height = std::min(height, kTextWidth * pixels_high / pixels_wide);
  figure.draw = [picture, pixels_wide, pixels_high](cairo_t* cairo, double width, double box_height) {
    const double scale = std::min(width / pixels_wide, box_height / pixels_high);
    cairo_save(cairo);
    cairo_translate(cairo, (width - pixels_wide * scale) / 2.0, 0);
    cairo_scale(cairo, scale, scale);
    cairo_set_source_surface(cairo, picture.get(), 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cairo), CAIRO_FILTER_GOOD);
    cairo_paint(cairo);
    cairo_restore(cairo);
  };
  return figure;
}

Figure line_chart_figure(std::vector<ChartPoint> points, std::string y_label, double height, std::string caption) {
  Figure figure;
  figure.height = height;
  figure.caption = std::move(caption);
  figure.draw = [points = std::move(points), y_label = std::move(y_label)](cairo_t* cairo, double width, double box_height) {
    set_font(cairo, 8.0, true);
    cairo_set_source_rgb(cairo, 0, 0, 0);
    draw_text(cairo, y_label, 0, 9.0);
    draw_chart(cairo, points, 0, 14.0, width, box_height - 14.0, 8.0, true);
  };
  return figure;
}

Figure scar_charts_figure(std::vector<ScarChart> charts, std::string caption) {
  constexpr int kColumns = 4;
  constexpr double kChartHeight = 92.0;
  const int rows = static_cast<int>((charts.size() + kColumns - 1) / kColumns);
  Figure figure;
  figure.height = rows * kChartHeight;
  figure.caption = std::move(caption);
  figure.draw = [charts = std::move(charts)](cairo_t* cairo, double width, double) {
    const double cell_width = width / kColumns;
    for (std::size_t i = 0; i < charts.size(); ++i) {
      const double x = cell_width * static_cast<double>(i % kColumns);
      const double y = kChartHeight * static_cast<double>(i / kColumns);
      cairo_set_source_rgb(cairo, 0, 0, 0);
      set_font(cairo, 7.5, true);
      draw_text(cairo, charts[i].title, x + 2.0, y + 9.0);
      set_font(cairo, 7.0);
      cairo_set_source_rgb(cairo, 0.3, 0.3, 0.3);
      draw_text(cairo, charts[i].status, x + cell_width - 6.0, y + 9.0, 1.0);
      draw_chart(cairo, charts[i].points, x, y + 12.0, cell_width - 8.0, kChartHeight - 18.0, 6.0, true);
    }
  };
  return figure;
}

}  // namespace scarscope::report

// A small flowing document for the reports: headings, wrapped paragraphs and bullet lists, tables
// whose header repeats on every page they run onto, and figures drawn with cairo, laid out on A4
// pages with a footer and "page N of M". Rendered to PDF with cairo and the DejaVu fonts (µ, ³, ≥
// and accented names), the text kept as text so it can be searched and read back.
#pragma once
#include <cairo.h>

#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "core/bytes.h"

namespace scarscope::report {

struct Colour {
  double red = 0.0, green = 0.0, blue = 0.0;
};

struct Heading {
  std::string text;
  int level = 1;  // 0: the title; 1: a section; 2: a subsection
};

struct Paragraph {
  std::string text;  // "\n" breaks a line
  double size = 10.0;
  bool bold = false;
  bool italic = false;
  Colour colour;
  std::string bullet;  // "•" or "1." for a list item (hanging indent); empty for none
  double space_after = 4.0;
};

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<double> widths;       // relative column widths (default: equal)
  std::vector<bool> align_right;    // per column (default: left)
  double size = 8.5;
};

// Something drawn: `draw` gets a context whose origin is the figure's top-left corner, in points.
struct Figure {
  double width = 0.0;  // 0: the text width
  double height = 100.0;
  std::function<void(cairo_t*, double width, double height)> draw;
  std::string caption;
};

struct PageBreak {};

using Block = std::variant<Heading, Paragraph, Table, Figure, PageBreak>;

struct Document {
  std::string title;
  std::string author;    // who made it (the clinic)
  std::string creator;   // the software ("ScarScope 0.1.0")
  std::string created;   // ISO 8601 date-time written into the PDF's metadata
  // The footer of every page, and the page label ("Page {page} of {pages}" already filled by the
  // function).
  std::string footer;
  std::function<std::string(int page, int pages)> page_label;
  std::vector<Block> blocks;

  void add(Block block) { blocks.push_back(std::move(block)); }
};

// The page: A4 portrait, in points.
inline constexpr double kPageWidth = 595.276;
inline constexpr double kPageHeight = 841.89;
inline constexpr double kMargin = 48.0;
inline constexpr double kTextWidth = kPageWidth - 2 * kMargin;

// The document as PDF bytes. Throws std::runtime_error if cairo fails.
Bytes render_pdf(const Document& document);

// Text helpers for figures, in the reports' font.
void set_font(cairo_t* cairo, double size, bool bold = false);
double text_width(cairo_t* cairo, const std::string& text);
// Draws `text` with its baseline at y; anchor 0 = left at x, 0.5 = centred on x, 1 = right at x.
void draw_text(cairo_t* cairo, const std::string& text, double x, double y, double anchor = 0.0);

}  // namespace scarscope::report

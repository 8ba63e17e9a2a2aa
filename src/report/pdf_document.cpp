#include "report/pdf_document.h"

#include <cairo-pdf.h>

#include <algorithm>
#include <memory>
#include <numeric>
#include <optional>
#include <stdexcept>

namespace scarscope::report {

namespace {

constexpr const char* kFontFamily = "DejaVu Sans";
constexpr double kLineSpacing = 1.3;  // line height as a multiple of the font size
constexpr double kFooterSize = 7.0;
constexpr double kBodyBottom = kPageHeight - kMargin - 26.0;  // room for the footer

struct FontStyle {
  double size = 10.0;
  bool bold = false;
  bool italic = false;
};

void use_font(cairo_t* cairo, const FontStyle& style) {
  cairo_select_font_face(cairo, kFontFamily, style.italic ? CAIRO_FONT_SLANT_OBLIQUE : CAIRO_FONT_SLANT_NORMAL,
                         style.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cairo, style.size);
}

// The length of the UTF-8 character starting at `text[at]`.
std::size_t utf8_length(const std::string& text, std::size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 1;
  return std::min(length, text.size() - at);
}

// Splits a word too wide for the line into pieces that fit (at character boundaries).
std::vector<std::string> break_word(cairo_t* cairo, const std::string& word, double width) {
  std::vector<std::string> pieces;
  std::string piece;
  for (std::size_t at = 0; at < word.size();) {
    const std::size_t length = utf8_length(word, at);
    const std::string next = piece + word.substr(at, length);
    if (!piece.empty() && text_width(cairo, next) > width) {
      pieces.push_back(piece);
      piece = word.substr(at, length);
    } else {
      piece = next;
    }
    at += length;
  }
  if (!piece.empty()) pieces.push_back(piece);
  return pieces;
}

// The text broken into lines no wider than `width` (the current font), at spaces and at "\n".
std::vector<std::string> wrap(cairo_t* cairo, const std::string& text, double width) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find('\n', start);
    const std::string part = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::string line;
    std::size_t at = 0;
    bool any = false;
    while (at <= part.size()) {
      std::size_t space = part.find(' ', at);
      if (space == std::string::npos) space = part.size();
      const std::string word = part.substr(at, space - at);
      at = space + 1;
      if (word.empty()) continue;
      any = true;
      const std::string candidate = line.empty() ? word : line + " " + word;
      if (text_width(cairo, candidate) <= width) {
        line = candidate;
        continue;
      }
      if (!line.empty()) lines.push_back(line);
      line.clear();
      if (text_width(cairo, word) <= width) {
        line = word;
      } else {
        std::vector<std::string> pieces = break_word(cairo, word, width);
        line = pieces.back();
        pieces.pop_back();
        lines.insert(lines.end(), pieces.begin(), pieces.end());
      }
    }
    if (!line.empty() || !any) lines.push_back(line);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return lines;
}

cairo_status_t append_to_bytes(void* closure, const unsigned char* data, unsigned int length) {
  auto* bytes = static_cast<Bytes*>(closure);
  const auto* first = reinterpret_cast<const std::byte*>(data);
  bytes->insert(bytes->end(), first, first + length);
  return CAIRO_STATUS_SUCCESS;
}

cairo_status_t discard(void*, const unsigned char*, unsigned int) { return CAIRO_STATUS_SUCCESS; }

struct HeadingStyle {
  double size;
  double space_before;
  double space_after;
};

HeadingStyle heading_style(int level) {
  if (level <= 0) return {18.0, 0.0, 8.0};
  if (level == 1) return {13.0, 10.0, 5.0};
  return {11.0, 7.0, 3.0};
}

// Lays the document out page by page, drawing as it goes. Run twice: once to count the pages
// (figures not drawn), once for real with the count known.
class Layout {
 public:
  Layout(cairo_surface_t* surface, const Document& document, int pages, bool measuring)
      : cairo_(cairo_create(surface)), document_(document), pages_(pages), measuring_(measuring) {
    cairo_font_options_t* options = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    cairo_set_font_options(cairo_, options);
    cairo_font_options_destroy(options);
  }
  ~Layout() { cairo_destroy(cairo_); }
  Layout(const Layout&) = delete;
  Layout& operator=(const Layout&) = delete;

  int run() {
    y_ = kMargin;
    for (std::size_t i = 0; i < document_.blocks.size(); ++i) {
      const Block* next = i + 1 < document_.blocks.size() ? &document_.blocks[i + 1] : nullptr;
      std::visit([&](const auto& block) { place(block, next); }, document_.blocks[i]);
    }
    finish_page();
    const cairo_status_t status = cairo_status(cairo_);
    if (status != CAIRO_STATUS_SUCCESS) throw std::runtime_error(std::string("cairo: ") + cairo_status_to_string(status));
    return page_;
  }

 private:
  double line_height(double size) const { return size * kLineSpacing; }

  void new_page() {
    finish_page();
    ++page_;
    y_ = kMargin;
  }

  void finish_page() {
    draw_footer();
    cairo_show_page(cairo_);
  }

  void draw_footer() {
    cairo_save(cairo_);
    cairo_set_source_rgb(cairo_, 0.35, 0.35, 0.35);
    use_font(cairo_, {kFooterSize, false, false});
    const std::string label = document_.page_label ? document_.page_label(page_, pages_) : std::to_string(page_);
    const double label_width = text_width(cairo_, label);
    const std::vector<std::string> lines = wrap(cairo_, document_.footer, kTextWidth - label_width - 12.0);
    double y = kPageHeight - kMargin - line_height(kFooterSize) * static_cast<double>(lines.size() - 1);
    cairo_set_line_width(cairo_, 0.4);
    cairo_move_to(cairo_, kMargin, y - kFooterSize - 4.0);
    cairo_line_to(cairo_, kPageWidth - kMargin, y - kFooterSize - 4.0);
    cairo_stroke(cairo_);
    draw_text(cairo_, label, kPageWidth - kMargin, y, 1.0);
    for (const std::string& line : lines) {
      draw_text(cairo_, line, kMargin, y);
      y += line_height(kFooterSize);
    }
    cairo_restore(cairo_);
  }

  void ensure(double height) {
    if (y_ + height > kBodyBottom && y_ > kMargin + 1e-6) new_page();
  }

  // The least height a block needs on the page where it starts (to keep a heading with it).
  double minimum_height(const Block& block) {
    if (const auto* figure = std::get_if<Figure>(&block)) return figure->height + (figure->caption.empty() ? 0.0 : 24.0);
    if (const auto* paragraph = std::get_if<Paragraph>(&block)) return 2 * line_height(paragraph->size);
    if (const auto* table = std::get_if<Table>(&block)) return 3 * line_height(table->size) + 8.0;
    return 0.0;
  }

  void place(const Heading& heading, const Block* next) {
    const HeadingStyle style = heading_style(heading.level);
    use_font(cairo_, {style.size, true, false});
    const std::vector<std::string> lines = wrap(cairo_, heading.text, kTextWidth);
    const double height = style.space_before + line_height(style.size) * static_cast<double>(lines.size()) + style.space_after;
    ensure(height + (next != nullptr ? minimum_height(*next) : 0.0));
    if (y_ > kMargin + 1e-6) y_ += style.space_before;
    cairo_set_source_rgb(cairo_, 0.1, 0.2, 0.35);
    use_font(cairo_, {style.size, true, false});
    for (const std::string& line : lines) {
      y_ += line_height(style.size);
      draw_text(cairo_, line, kMargin, y_ - (line_height(style.size) - style.size));
    }
    if (heading.level <= 1) {
      cairo_set_line_width(cairo_, heading.level == 0 ? 1.2 : 0.6);
      cairo_move_to(cairo_, kMargin, y_ + 2.0);
      cairo_line_to(cairo_, kPageWidth - kMargin, y_ + 2.0);
      cairo_stroke(cairo_);
    }
    y_ += style.space_after;
    cairo_set_source_rgb(cairo_, 0, 0, 0);
  }

  void place(const Paragraph& paragraph, const Block*) {
    const FontStyle font{paragraph.size, paragraph.bold, paragraph.italic};
    use_font(cairo_, font);
    const double indent = paragraph.bullet.empty() ? 0.0 : 14.0;
    const std::vector<std::string> lines = wrap(cairo_, paragraph.text, kTextWidth - indent);
    const double height = line_height(paragraph.size);
    // A list item or a short paragraph is not split over two pages (a reader would find half a
    // sentence under the page's footer).
    if (!paragraph.bullet.empty() || lines.size() <= 3) ensure(height * static_cast<double>(lines.size()));
    for (std::size_t i = 0; i < lines.size(); ++i) {
      ensure(height);
      use_font(cairo_, font);
      cairo_set_source_rgb(cairo_, paragraph.colour.red, paragraph.colour.green, paragraph.colour.blue);
      y_ += height;
      const double baseline = y_ - (height - paragraph.size) - 1.0;
      if (i == 0 && !paragraph.bullet.empty()) draw_text(cairo_, paragraph.bullet, kMargin + 2.0, baseline);
      draw_text(cairo_, lines[i], kMargin + indent, baseline);
    }
    y_ += paragraph.space_after;
    cairo_set_source_rgb(cairo_, 0, 0, 0);
  }

  void place(const Table& table, const Block*) {
    const std::size_t columns = table.header.size();
    if (columns == 0) return;
    std::vector<double> widths = table.widths;
    widths.resize(columns, 1.0);
    const double total = std::accumulate(widths.begin(), widths.end(), 0.0);
    for (double& width : widths) width = width / total * kTextWidth;
    const double padding = 3.0;
    const double height = line_height(table.size);

    auto cell_lines = [&](const std::vector<std::string>& row, bool bold) {
      use_font(cairo_, {table.size, bold, false});
      std::vector<std::vector<std::string>> lines(columns);
      for (std::size_t c = 0; c < columns; ++c) {
        lines[c] = wrap(cairo_, c < row.size() ? row[c] : std::string(), widths[c] - 2 * padding);
      }
      return lines;
    };
    auto row_height = [&](const std::vector<std::vector<std::string>>& lines) {
      std::size_t most = 1;
      for (const auto& cell : lines) most = std::max(most, cell.size());
      return static_cast<double>(most) * height + 2 * padding;
    };
    auto draw_row = [&](const std::vector<std::vector<std::string>>& lines, bool bold, bool shaded) {
      const double h = row_height(lines);
      if (shaded) {
        cairo_set_source_rgb(cairo_, 0.9, 0.92, 0.95);
        cairo_rectangle(cairo_, kMargin, y_, kTextWidth, h);
        cairo_fill(cairo_);
      }
      cairo_set_source_rgb(cairo_, 0, 0, 0);
      use_font(cairo_, {table.size, bold, false});
      double x = kMargin;
      for (std::size_t c = 0; c < columns; ++c) {
        const bool right = c < table.align_right.size() && table.align_right[c];
        double baseline = y_ + padding + table.size;
        for (const std::string& line : lines[c]) {
          if (right) draw_text(cairo_, line, x + widths[c] - padding, baseline, 1.0);
          else draw_text(cairo_, line, x + padding, baseline);
          baseline += height;
        }
        x += widths[c];
      }
      y_ += h;
      cairo_set_source_rgb(cairo_, 0.75, 0.75, 0.75);
      cairo_set_line_width(cairo_, 0.3);
      cairo_move_to(cairo_, kMargin, y_);
      cairo_line_to(cairo_, kPageWidth - kMargin, y_);
      cairo_stroke(cairo_);
      cairo_set_source_rgb(cairo_, 0, 0, 0);
    };

    const auto header = cell_lines(table.header, true);
    const double header_height = row_height(header);
    bool header_drawn = false;
    for (const auto& row : table.rows) {
      const auto lines = cell_lines(row, false);
      const double h = row_height(lines);
      if (!header_drawn || y_ + h > kBodyBottom) {
        if (header_drawn || y_ + header_height + h > kBodyBottom) new_page();
        draw_row(header, true, true);
        header_drawn = true;
      }
      draw_row(lines, false, false);
    }
    if (!header_drawn) {
      ensure(header_height);
      draw_row(header, true, true);
    }
    y_ += 6.0;
  }

  void place(const Figure& figure, const Block*) {
    const double width = figure.width > 0.0 ? std::min(figure.width, kTextWidth) : kTextWidth;
    FontStyle caption_font{8.0, false, true};
    use_font(cairo_, caption_font);
    const std::vector<std::string> caption =
        figure.caption.empty() ? std::vector<std::string>{} : wrap(cairo_, figure.caption, kTextWidth);
    const double caption_height = static_cast<double>(caption.size()) * line_height(caption_font.size);
    ensure(figure.height + caption_height + 6.0);
    if (!measuring_ && figure.draw) {
      cairo_save(cairo_);
      cairo_translate(cairo_, kMargin + (kTextWidth - width) / 2.0, y_);
      cairo_rectangle(cairo_, 0, 0, width, figure.height);
      cairo_clip(cairo_);
      figure.draw(cairo_, width, figure.height);
      cairo_restore(cairo_);
    }
    y_ += figure.height + 3.0;
    cairo_set_source_rgb(cairo_, 0.2, 0.2, 0.2);
    use_font(cairo_, caption_font);
    for (const std::string& line : caption) {
      y_ += line_height(caption_font.size);
      draw_text(cairo_, line, kMargin, y_ - 2.0);
    }
    cairo_set_source_rgb(cairo_, 0, 0, 0);
    y_ += 8.0;
  }

  void place(const PageBreak&, const Block*) {
    if (y_ > kMargin + 1e-6) new_page();
  }

  cairo_t* cairo_;
  const Document& document_;
  int pages_;
  bool measuring_;
  int page_ = 1;
  double y_ = kMargin;
};

std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> pdf_surface(cairo_write_func_t write, void* closure,
                                                                                const Document& document) {
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_pdf_surface_create_for_stream(write, closure, kPageWidth, kPageHeight), cairo_surface_destroy);
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, document.title.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_AUTHOR, document.author.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, document.creator.c_str());
  if (!document.created.empty()) {
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE, document.created.c_str());
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_MOD_DATE, document.created.c_str());
  }
  return surface;
}

}  // namespace

void set_font(cairo_t* cairo, double size, bool bold) { use_font(cairo, {size, bold, false}); }

double text_width(cairo_t* cairo, const std::string& text) {
  cairo_text_extents_t extents;
  cairo_text_extents(cairo, text.c_str(), &extents);
  return extents.x_advance;
}

void draw_text(cairo_t* cairo, const std::string& text, double x, double y, double anchor) {
  if (text.empty()) return;
  cairo_move_to(cairo, x - anchor * text_width(cairo, text), y);
  cairo_show_text(cairo, text.c_str());
}

Bytes render_pdf(const Document& document) {
  int pages = 0;
  {
    auto surface = pdf_surface(discard, nullptr, document);
    Layout layout(surface.get(), document, 0, true);
    pages = layout.run();
    cairo_surface_finish(surface.get());
  }
  Bytes bytes;
  auto surface = pdf_surface(append_to_bytes, &bytes, document);
  {
    Layout layout(surface.get(), document, pages, false);
    layout.run();
  }
  cairo_surface_finish(surface.get());
  const cairo_status_t status = cairo_surface_status(surface.get());
  if (status != CAIRO_STATUS_SUCCESS) throw std::runtime_error(std::string("cairo PDF: ") + cairo_status_to_string(status));
  return bytes;
}

}  // namespace scarscope::report

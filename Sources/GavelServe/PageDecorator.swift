import Foundation
import GavelCore

/// What the preview adds to HTML responses (never to the built files): the reload script, and while the
/// last build failed, an overlay listing its diagnostics.
enum PageDecorator {
    static let scriptPath = "/__gavel/reload.js"
    static let stylePath = "/__gavel/overlay.css"
    static let eventsPath = "/__gavel/events"

    /// The HTML page as served by the preview.
    static func decorate(_ html: String, generation: Int, failure: [Diagnostic]) -> String {
        var page = html
        if !failure.isEmpty {
            let overlay = overlayHTML(failure)
            if let open = bodyOpenTagEnd(in: page) {
                page.insert(contentsOf: overlay, at: open)
            } else {
                page = overlay + page
            }
        }
        let script = "<script src=\"\(scriptPath)\" data-generation=\"\(generation)\"></script>\n"
        if let close = page.range(of: "</body>", options: [.caseInsensitive, .backwards]) {
            page.insert(contentsOf: script, at: close.lowerBound)
        } else {
            page += script
        }
        return page
    }

    /// Just after `<body ...>`, so the overlay comes first in reading order.
    static func bodyOpenTagEnd(in html: String) -> String.Index? {
        var search = html.startIndex..<html.endIndex
        while let found = html.range(of: "<body", options: .caseInsensitive, range: search) {
            let next = found.upperBound
            if next < html.endIndex, html[next] == ">" || html[next].isWhitespace || html[next] == "/" {
                guard let close = html[next...].firstIndex(of: ">") else { return nil }
                return html.index(after: close)
            }
            search = next..<html.endIndex
        }
        return nil
    }

    static func overlayHTML(_ diagnostics: [Diagnostic]) -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let title = errors == 1 ? "The site did not build: 1 error" : "The site did not build: \(errors) errors"
        var html = "<link rel=\"stylesheet\" href=\"\(stylePath)\">\n"
        html += "<div id=\"gavel-overlay\" role=\"alert\" aria-labelledby=\"gavel-overlay-title\" data-gavel-errors=\"\(errors)\">\n"
        html += "<h2 id=\"gavel-overlay-title\">\(HTML.escape(title))</h2>\n"
        html += "<p>This page is from the last good build. Fix the problem and save: the page reloads by itself.</p>\n"
        html += "<ol class=\"gavel-overlay-list\">\n"
        for d in diagnostics {
            let place = "\(d.location.file):\(d.location.line):\(d.location.column)"
            html += "<li class=\"gavel-\(d.severity.rawValue)\"><code class=\"gavel-location\">\(HTML.escape(place))</code> "
            html += "<strong>\(d.severity.rawValue):</strong> <span class=\"gavel-message\">\(HTML.escape(d.message))</span>"
            if let hint = d.hint {
                html += "<span class=\"gavel-hint\">hint: \(HTML.escape(hint))</span>"
            }
            html += "</li>\n"
        }
        html += "</ol>\n"
        html += "<button type=\"button\" class=\"gavel-overlay-hide\" hidden>Hide this message</button>\n"
        html += "</div>\n"
        return html
    }

    /// A stand-in page for when no build has succeeded yet, so the overlay has somewhere to show.
    static func placeholderPage() -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Gavel preview</title></head>
        <body>
        <main><h1>Gavel preview</h1><p>The site has not built yet.</p></main>
        </body>
        </html>

        """
    }

    static let reloadScript = """
        // Gavel preview: reloads this page when the site is rebuilt. Served only by `gavel serve`.
        (function () {
          "use strict";
          var script = document.currentScript;
          var shown = script ? script.getAttribute("data-generation") : null;
          var overlay = document.getElementById("gavel-overlay");
          if (overlay) {
            var hide = overlay.querySelector(".gavel-overlay-hide");
            if (hide) {
              hide.hidden = false;
              hide.addEventListener("click", function () { overlay.hidden = true; });
            }
          }
          if (!window.EventSource) { return; }
          var source = new EventSource("\(eventsPath)");
          function reload() { source.close(); window.location.reload(); }
          // A build finished between this page being served and the stream opening: catch up.
          source.addEventListener("hello", function (event) {
            var generation = String(JSON.parse(event.data).generation);
            document.documentElement.setAttribute("data-gavel-preview", "connected");
            if (shown !== null && generation !== shown) { reload(); }
          });
          source.addEventListener("reload", function (event) {
            var generation = String(JSON.parse(event.data).generation);
            if (generation !== shown) { reload(); }
          });
        })();

        """

    static let overlayStyle = """
        /* Gavel preview: the build-error overlay. Served only by `gavel serve`. */
        #gavel-overlay {
          position: fixed; top: 0; left: 0; right: 0; z-index: 2147483647;
          max-height: 60vh; overflow: auto; box-sizing: border-box;
          margin: 0; padding: 1rem 1.5rem;
          background: #ffffff; color: #1b1b1b;
          border-bottom: 0.375rem solid #b50909; box-shadow: 0 0.25rem 1rem rgba(0, 0, 0, 0.35);
          font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; text-align: left;
        }
        #gavel-overlay[hidden] { display: none; }
        #gavel-overlay h2 { margin: 0 0 0.5rem; font-size: 1.25rem; line-height: 1.3; color: #b50909; }
        #gavel-overlay p { margin: 0 0 0.5rem; }
        #gavel-overlay ol { margin: 0.5rem 0; padding-left: 1.75rem; }
        #gavel-overlay li { margin: 0.5rem 0; }
        #gavel-overlay code {
          font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.95em;
          background: #f0f0f0; color: #1b1b1b; padding: 0 0.25em; overflow-wrap: anywhere;
        }
        #gavel-overlay .gavel-hint { display: block; color: #3d4551; }
        #gavel-overlay button {
          font: inherit; color: #ffffff; background: #1a4480; border: 0; border-radius: 0.25rem;
          padding: 0.375rem 0.75rem; cursor: pointer;
        }
        #gavel-overlay button:focus { outline: 0.25rem solid #2491ff; outline-offset: 0.125rem; }

        """
}

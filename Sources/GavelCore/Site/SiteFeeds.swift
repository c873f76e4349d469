/// Atom feeds and the sitemap.
enum SiteFeeds {
    static func atom(title: String, selfPath: String, site: SiteConfig, linker: SiteLinker,
                     notices: [(Court, Notice)], renderBody: (Court, Notice) -> String) -> OutputFile {
        let sorted = notices.sorted { ($0.1.date, $0.1.court, $0.1.slug) > ($1.1.date, $1.1.court, $1.1.slug) }
        func instant(_ court: Court, _ notice: Notice) -> Instant {
            LocalDateTime(unchecked: notice.date, hour: 0, minute: 0).instant(in: court.timeZone)
        }
        let updated = sorted.map { instant($0.0, $0.1) }.max() ?? Instant(secondsSinceEpoch: 0)
        var xml = """
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="\(escape(site.language))">
          <title>\(escape(title))</title>
          <id>\(escape(site.baseURL + selfPath))</id>
          <link rel="self" type="application/atom+xml" href="\(escape(site.baseURL + selfPath))"/>
          <link rel="alternate" type="text/html" href="\(escape(site.baseURL))"/>
          <updated>\(updated)</updated>
          <author><name>\(escape(site.title))</name></author>

        """
        for (court, notice) in sorted {
            let url = site.baseURL + notice.sitePath
            xml += """
              <entry>
                <title>\(escape(notice.title))</title>
                <id>\(escape(url))</id>
                <link rel="alternate" type="text/html" href="\(escape(url))"/>
                <updated>\(instant(court, notice))</updated>
                <category term="\(escape(court.id))" label="\(escape(court.name))"/>

            """
            if let summary = notice.summary { xml += "    <summary>\(escape(summary))</summary>\n" }
            xml += "    <content type=\"html\" xml:base=\"\(escape(url))\">\(escape(renderBody(court, notice)))</content>\n  </entry>\n"
        }
        xml += "</feed>\n"
        return OutputFile(path: selfPath, text: xml)
    }

    static func sitemap(paths: [String], site: SiteConfig) -> OutputFile {
        let pages = paths.filter { $0.hasSuffix("index.html") }.map { String($0.dropLast("index.html".count)) }.sorted()
        var xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
        for page in pages { xml += "  <url><loc>\(escape(site.baseURL + page))</loc></url>\n" }
        xml += "</urlset>\n"
        return OutputFile(path: "sitemap.xml", text: xml)
    }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}

import Foundation
import GavelCore
import Hummingbird
import ServiceLifecycle

/// Answers every request: the preview's own `/__gavel/` addresses, else a file of the built site.
struct PreviewResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    /// The output folder's real path.
    let root: String
    let state: PreviewState
    let broadcaster: ReloadBroadcaster

    func respond(to request: Request, context: Context) async throws -> Response {
        let isHead = request.method == .head
        guard request.method == .get || isHead else {
            var response = text(.methodNotAllowed, "Method not allowed\n")
            response.headers[.allow] = "GET, HEAD"
            return response
        }
        let target = request.head.path ?? "/"
        let path = RequestPath.pathPart(of: target)
        let response: Response
        if path.hasPrefix("/__gavel/") {
            response = own(String(path))
        } else {
            response = site(path, query: target.firstIndex(of: "?").map { target[$0...] } ?? "")
        }
        return isHead ? response.createHeadResponse() : response
    }

    // MARK: The preview's own addresses

    func own(_ path: String) -> Response {
        switch path {
        case PageDecorator.eventsPath:
            return events()
        case PageDecorator.scriptPath:
            return bytes(.ok, Array(PageDecorator.reloadScript.utf8), type: ContentTypes.forFile("reload.js"))
        case PageDecorator.stylePath:
            return bytes(.ok, Array(PageDecorator.overlayStyle.utf8), type: ContentTypes.forFile("overlay.css"))
        case "/__gavel/status":
            return bytes(.ok, Array(Rebuilder.statusJSON(state.snapshot).utf8), type: ContentTypes.forFile("status.json"))
        default:
            return text(.notFound, "Not found\n")
        }
    }

    /// Server-sent events: `hello` with the current generation, then `reload` after each build that
    /// changed something. Ends when the page goes or the server shuts down.
    func events() -> Response {
        let broadcaster = self.broadcaster, state = self.state
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.init("X-Accel-Buffering")!] = "no"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let stream = broadcaster.subscribe()
            let hello = "retry: 1000\nevent: hello\ndata: \(Rebuilder.statusJSON(state.snapshot))\n\n"
            try await writer.write(ByteBuffer(string: hello))
            try await withGracefulShutdownHandler {
                for await message in stream {
                    try await writer.write(ByteBuffer(string: message))
                }
            } onGracefulShutdown: {
                broadcaster.closeAll()
            }
            try await writer.finish(nil)
        })
    }

    // MARK: The built site

    func site(_ rawPath: Substring, query: Substring = "") -> Response {
        let path: RequestPath
        switch RequestPath.parse(rawPath) {
        case let .success(p): path = p
        case .failure(.hidden): return notFound()
        case .failure(.unsafe): return text(.badRequest, "Bad request: this address cannot name a file of the site\n")
        }
        var url = URL(fileURLWithPath: root, isDirectory: true)
        for segment in path.segments { url.appendPathComponent(segment) }

        if path.trailingSlash || path.segments.isEmpty {
            return file(url.appendingPathComponent("index.html").path) ?? notFound()
        }
        // A folder without its slash: send the browser to the slash form, so relative links resolve.
        if let real = RealPath.resolve(url.path), RealPath.isInside(real, root: root), isDirectory(real) {
            let location = path.folderAddress + query.prefix { $0 != "#" }
            var headers = HTTPFields()
            headers[.location] = location
            headers[.contentType] = "text/plain; charset=utf-8"
            headers[.cacheControl] = "no-store"
            return Response(status: .movedPermanently, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: "Moved to \(location)\n")))
        }
        return file(url.path) ?? notFound()
    }

    /// A regular file whose real path lies inside the output folder, as served; nil otherwise.
    func file(_ path: String, status: HTTPResponse.Status = .ok) -> Response? {
        guard let real = RealPath.resolve(path), RealPath.isInside(real, root: root), real != root,
              !isDirectory(real), let data = FileManager.default.contents(atPath: real) else { return nil }
        let name = (real as NSString).lastPathComponent
        if ContentTypes.isHTML(name) {
            let snapshot = state.snapshot
            let page = PageDecorator.decorate(String(decoding: data, as: UTF8.self), generation: snapshot.generation, failure: snapshot.failure)
            return bytes(status, Array(page.utf8), type: ContentTypes.forFile(name))
        }
        return bytes(status, Array(data), type: ContentTypes.forFile(name))
    }

    /// The site's own 404 page, with status 404.
    func notFound() -> Response {
        if let page = file(root + "/404.html", status: .notFound) { return page }
        let snapshot = state.snapshot
        if !snapshot.failure.isEmpty {
            // Nothing has built yet: a bare page to carry the overlay.
            let page = PageDecorator.decorate(PageDecorator.placeholderPage(), generation: snapshot.generation, failure: snapshot.failure)
            return bytes(.notFound, Array(page.utf8), type: ContentTypes.forFile("404.html"))
        }
        return text(.notFound, "Not found\n")
    }

    func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    func bytes(_ status: HTTPResponse.Status, _ body: [UInt8], type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        // A preview is never cached: every load shows the latest build.
        headers[.cacheControl] = "no-store"
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        bytes(status, Array(message.utf8), type: "text/plain; charset=utf-8")
    }
}

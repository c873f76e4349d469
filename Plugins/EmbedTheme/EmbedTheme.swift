import Foundation
import PackagePlugin

/// Turns the repository's `Templates/` into a Swift source at build time, so the default theme lives
/// inside the binary with no second copy committed. Every theme file is an input of the command, so
/// editing, adding or removing one regenerates the source.
@main
struct EmbedTheme: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let templates = context.package.directoryURL.appending(path: "Templates")
        let generated = context.pluginWorkDirectoryURL.appending(path: "BuiltInThemeFiles.swift")
        var inputs = [templates]
        if let walk = FileManager.default.enumerator(at: templates, includingPropertiesForKeys: nil) {
            for case let url as URL in walk { inputs.append(url) }
        }
        return [
            .buildCommand(
                displayName: "Embedding the default theme from Templates/",
                executable: try context.tool(named: "ThemeEmbedder").url,
                arguments: [templates.path, generated.path],
                inputFiles: inputs,
                outputFiles: [generated])
        ]
    }
}

// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Gavel",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gavel", targets: ["gavel"]),
        .library(name: "GavelCore", targets: ["GavelCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        // Already in Hummingbird's graph; named because GavelServe imports them directly.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // Debian's libcmark-gfm and its extensions; the only C the project touches.
        .systemLibrary(
            name: "CCmarkGFM",
            pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]
        ),
        // The default theme inside the binary: EmbedTheme runs ThemeEmbedder over Templates/ at every
        // build and compiles the result into GavelTheme, so there is no second copy to keep in step.
        .executableTarget(name: "ThemeEmbedder"),
        .plugin(name: "EmbedTheme", capability: .buildTool(), dependencies: ["ThemeEmbedder"]),
        .target(name: "GavelTheme", plugins: ["EmbedTheme"]),
        .target(
            name: "GavelCore",
            dependencies: [
                "CCmarkGFM",
                "GavelTheme",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        // `gavel serve`: the live preview; the only target that depends on Hummingbird.
        .target(
            name: "GavelServe",
            dependencies: [
                "GavelCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "gavel",
            dependencies: [
                "GavelCore",
                "GavelServe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "GavelCoreTests",
            dependencies: ["GavelCore", "GavelTheme", .product(name: "Mustache", package: "swift-mustache"), .product(name: "Yams", package: "Yams")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "GavelServeTests", dependencies: ["GavelServe"]),
        .testTarget(name: "gavelTests", dependencies: ["gavel"]),
    ],
    swiftLanguageModes: [.v6]
)

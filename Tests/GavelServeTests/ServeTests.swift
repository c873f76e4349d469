import Testing
@testable import GavelServe

import Hummingbird
import GavelCore

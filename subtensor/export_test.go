package subtensor

// AppendMetagraph is appendMetagraph for the external tests (interop).
var AppendMetagraph = appendMetagraph

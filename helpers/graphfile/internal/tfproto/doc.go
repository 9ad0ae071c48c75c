// Package tfproto holds gotl's own Go definitions of the TensorFlow messages
// in MetaGraphDef (.meta) files and SavedModels, generated from
// gotl_meta_graph.proto. See that file for why gotl does not use the
// generated packages of TensorFlow's core/protobuf directory.
//
// Regenerating needs protoc (Debian: protobuf-compiler) and protoc-gen-go
// v1.36.10 on PATH.
package tfproto

//go:generate sh -c "go run ./descset > framework.desc.tmp && protoc --descriptor_set_in=framework.desc.tmp --proto_path=. --go_out=. --go_opt=paths=source_relative gotl_meta_graph.proto; status=$?; rm -f framework.desc.tmp; exit $status"

//! Mounts the dsviz app; everything else lives in the library.

fn main() {
    dsviz::start();
}

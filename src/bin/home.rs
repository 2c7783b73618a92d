//! The light home page: catalog and live hero only. `scripts/build.sh`
//! publishes it as `index.html`; the labs live in `app.html`.

fn main() {
    dsviz::start_home();
}

//! `hindsight serve`: incremental rebuilds checked against full builds (through the
//! library), and the server itself (through the real binary, over HTTP).

mod http;
mod incremental;
mod slow;

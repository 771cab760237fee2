// The guest of the component plan goldens (tests/all/component_plans.rs):
// built for wasm32-wasip2 (a component) and for wasm32-wasip1 (adapted with
// the preview1 command adapter).
fn main() {
    println!("hello from a component");
}

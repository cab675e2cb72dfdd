use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let t = Instant::now();
    let text = std::fs::read_to_string(&path).unwrap();
    let file = handoff::source::SourceFile::new(path.clone(), text);
    let (reg, _) = handoff::registry::load(file);
    let reg = reg.unwrap();
    eprintln!("load {:?}", t.elapsed());
    let t = Instant::now();
    let g = handoff::generate::Generator::new(&reg, None).unwrap();
    eprintln!("generator {:?}", t.elapsed());
    let mut schema = std::time::Duration::ZERO;
    let mut n = 0;
    for (i, p) in g.planned().iter().enumerate() {
        let t = Instant::now();
        let a = g.render(i).unwrap();
        let e = t.elapsed();
        if p.path.contains("docs/schemas/org.") {
            schema += e;
            n += 1;
        } else {
            eprintln!("{} {:?} {} bytes", p.path, e, a.content.len());
        }
    }
    eprintln!("{n} subject schemas {schema:?}");
}

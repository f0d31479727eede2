//! Builds the loadable extension: release wasm, wasm-bindgen glue, wasm-opt, then `dist/store`, `dist/dev`
//! and the store zip, each manifest checked by `manifest-policy` against the files actually assembled.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::setup::{self, Result, root};

const TARGET: &str = "wasm32-unknown-unknown";
const PROFILE: &str = "wasm-release";
/// wasm-opt must be told the features rustc enabled, or it rejects the module.
const WASM_OPT_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// (cargo package, library file stem, output name under dist/*/wasm/)
const MODULES: [(&str, &str, &str); 2] = [("bms-itglue", "bms_itglue", "ui"), ("bms-itglue-worker", "bms_itglue_worker", "worker")];

pub struct Dist {
    pub dev: PathBuf,
}

pub fn run() -> Result<Dist> {
    let started = Instant::now();
    setup::wasm_target()?;
    let bindgen = setup::wasm_bindgen_cli()?;
    setup::npm_packages()?;
    let root = root();
    let version = env!("CARGO_PKG_VERSION");

    let step = Instant::now();
    let mut cargo = Command::new("cargo");
    cargo.args(["build", "--profile", PROFILE, "--target", TARGET]).current_dir(&root);
    for (package, _, _) in MODULES {
        cargo.args(["-p", package]);
    }
    setup::run(&mut cargo)?;
    let cargo_secs = step.elapsed().as_secs_f64();

    let step = Instant::now();
    let staged = root.join("target/dist-wasm");
    fs::create_dir_all(&staged).map_err(io("create target/dist-wasm"))?;
    for (_, stem, name) in MODULES {
        let input = root.join(format!("target/{TARGET}/{PROFILE}/{stem}.wasm"));
        setup::run(Command::new(&bindgen).arg(&input).args(["--target", "web", "--no-typescript", "--out-name", name, "--out-dir"]).arg(&staged))?;
        let bg = staged.join(format!("{name}_bg.wasm"));
        let mut opt = Command::new(root.join("node_modules/.bin/wasm-opt"));
        opt.arg(&bg).arg("-Oz").args(WASM_OPT_FEATURES).arg("-o").arg(&bg);
        setup::run(&mut opt)?;
    }
    let post_secs = step.elapsed().as_secs_f64();

    let dist = root.join("dist");
    let store_manifest = read_manifest(&root.join("manifest.json"))?;
    let store = assemble(&root, &staged, &dist.join("store"), &store_manifest)?;
    let dev_manifest = manifest_policy::development_variant(&store_manifest);
    let dev = assemble(&root, &staged, &dist.join("dev"), &dev_manifest)?;
    check(&store, &store_manifest, version, manifest_policy::check_store)?;
    check(&dev, &dev_manifest, version, manifest_policy::check_development)?;
    let zip = dist.join(format!("bms-itglue-{version}.zip"));
    write_zip(&store, &zip)?;

    report(&store, &zip)?;
    println!(
        "build: cargo {cargo_secs:.1} s, wasm-bindgen + wasm-opt {post_secs:.1} s, total {:.1} s",
        started.elapsed().as_secs_f64()
    );
    println!("load unpacked: {} (store build), {} (development build for the sandbox)", store.display(), dev.display());
    Ok(Dist { dev })
}

fn read_manifest(path: &Path) -> Result<serde_json::Value> {
    let text = fs::read_to_string(path).map_err(io("read manifest.json"))?;
    serde_json::from_str(&text).map_err(|e| format!("manifest.json is not valid JSON: {e}"))
}

/// Copies `extension/`, the wasm outputs and the manifest into a fresh directory.
fn assemble(root: &Path, staged: &Path, out: &Path, manifest: &serde_json::Value) -> Result<PathBuf> {
    if out.exists() {
        fs::remove_dir_all(out).map_err(io("clean dist"))?;
    }
    copy_tree(&root.join("extension"), out)?;
    let wasm = out.join("wasm");
    fs::create_dir_all(&wasm).map_err(io("create dist wasm dir"))?;
    for (_, _, name) in MODULES {
        for file in [format!("{name}.js"), format!("{name}_bg.wasm")] {
            fs::copy(staged.join(&file), wasm.join(&file)).map_err(io("copy wasm output"))?;
        }
    }
    let text = serde_json::to_string_pretty(manifest).map_err(|e| e.to_string())?;
    fs::write(out.join("manifest.json"), text).map_err(io("write manifest"))?;
    Ok(out.to_path_buf())
}

type Check = fn(&serde_json::Value, &str, &dyn Fn(&str) -> bool) -> Vec<String>;

fn check(dir: &Path, manifest: &serde_json::Value, version: &str, rules: Check) -> Result {
    let exists = |file: &str| dir.join(file).is_file();
    let mut problems = rules(manifest, version, &exists);
    for file in manifest_policy::GENERATED_FILES {
        if !exists(file) {
            problems.push(format!("{} lacks the generated {file}", dir.display()));
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(format!("{}:\n  - {}", dir.display(), problems.join("\n  - "))) }
}

fn copy_tree(from: &Path, to: &Path) -> Result {
    fs::create_dir_all(to).map_err(io("create dir"))?;
    for entry in fs::read_dir(from).map_err(io("read extension/"))? {
        let entry = entry.map_err(io("read extension/"))?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target).map_err(io("copy extension file"))?;
        }
    }
    Ok(())
}

fn files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).map_err(io("list dist"))? {
        let path = entry.map_err(io("list dist"))?.path();
        if path.is_dir() { found.extend(files(&path)?) } else { found.push(path) }
    }
    found.sort();
    Ok(found)
}

fn write_zip(dir: &Path, out: &Path) -> Result {
    let file = fs::File::create(out).map_err(io("create zip"))?;
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for path in files(dir)? {
        let name = path.strip_prefix(dir).map_err(|e| e.to_string())?.to_string_lossy().replace('\\', "/");
        zip.start_file(name, options).map_err(|e| e.to_string())?;
        zip.write_all(&fs::read(&path).map_err(io("read for zip"))?).map_err(io("write zip"))?;
    }
    zip.finish().map_err(|e| e.to_string())?;
    Ok(())
}

fn gzipped_len(bytes: &[u8]) -> Result<usize> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).map_err(io("gzip"))?;
    Ok(encoder.finish().map_err(io("gzip"))?.len())
}

fn report(store: &Path, zip: &Path) -> Result {
    println!("{:<28} {:>10} {:>10}", "artifact", "bytes", "gzipped");
    let mut total = (0, 0);
    for path in files(store)? {
        let bytes = fs::read(&path).map_err(io("read artifact"))?;
        let gz = gzipped_len(&bytes)?;
        total = (total.0 + bytes.len(), total.1 + gz);
        println!("{:<28} {:>10} {:>10}", path.strip_prefix(store).unwrap_or(&path).display(), bytes.len(), gz);
    }
    println!("{:<28} {:>10} {:>10}", "total (unpacked)", total.0, total.1);
    let zip_len = fs::metadata(zip).map_err(io("stat zip"))?.len();
    println!("{:<28} {:>10}", zip.file_name().unwrap_or_default().to_string_lossy(), zip_len);
    Ok(())
}

fn io(what: &'static str) -> impl Fn(std::io::Error) -> String {
    move |e| format!("{what}: {e}")
}

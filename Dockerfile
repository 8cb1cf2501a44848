# presswork in a container, for batch runs (Kubernetes Indexed Jobs, Slurm, CI runners):
#   docker build -t presswork .
#   docker run --rm -v "$PWD:/work" presswork build articles/*.md --out-dir books
# The runtime image has the fonts the PDF takes from the system (CJK, symbols, emoji in
# monochrome); everything else is compiled into the binary.
FROM rust:1.88-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-core fonts-noto-cjk fonts-symbola \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/presswork /usr/local/bin/presswork
WORKDIR /work
ENTRYPOINT ["presswork"]

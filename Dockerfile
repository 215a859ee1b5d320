# The WebML coordinator: `npm ci`, the web pages built once into the image, then the server.
FROM node:20
WORKDIR /app
# Dependencies first, so code changes do not reinstall them. node:20 has the compilers
# better-sqlite3 falls back to when no prebuilt binary fits.
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build
ENV HOST=0.0.0.0 PORT=8080 DATA_DIR=/data
VOLUME /data
EXPOSE 8080
# Node itself (with tsx's loader) rather than `npm start`: npm passes SIGTERM to a shell that
# dies without passing it on, so `docker stop` would kill the server without its clean stop.
CMD ["node", "--import", "tsx", "app/main.ts"]

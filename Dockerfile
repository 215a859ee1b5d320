# The WebML coordinator: `npm ci` then `npm start` (which builds the web pages first).
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
CMD ["npm", "start"]
